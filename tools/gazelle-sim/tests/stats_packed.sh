#!/usr/bin/env bash
# /__sim/stats over HTTP counts every root field of a packed document: 40
# aliased allClients parts (more than the 16 root names a request once
# kept) and the roots after them, each alias once, in the same JSON shape.
# Usage: stats_packed.sh BUILD_DIR SOURCE_DIR (ctest: sim_stats_packed).
source "$2/tools/gazelle-sim/tests/sim_env.sh"
start_sim SIM --seed 5 --clients 60 --pianos 40 --events 50 --timeline 50
python3 - "$SIM" <<'PY'
import sys
from simlib import *
base = sys.argv[1]
PARTS = 40
parts = " ".join(f"p{i}: allClients(first: 2, after: null) {{ nodes {{ id }} }}"
                 for i in range(PARTS))
query = (f"query Packed {{ {parts} p{PARTS}: allPianos(first: 1) {{ totalCount }}"
         " allInvoiceTags }")

s, _ = sim_json(base, "POST", "/__sim/stats/reset")
check(s == 200, "stats reset")
s, st = sim_json(base, "GET", "/__sim/stats")
names = set(st["byRootField"])
for round_no in (1, 2):
    s, answer = gql(base, query)
    check(s == 200 and "errors" not in answer, f"packed request answered: {str(answer)[:300]}")
    check(len(answer.get("data", {})) == PARTS + 2, "every part answered")
    s, st = sim_json(base, "GET", "/__sim/stats")
    by_root = st["byRootField"]
    check(set(by_root) == names, f"byRootField keeps its names: {sorted(by_root)}")
    check(by_root["allClients"] == round_no * PARTS,
          f"request {round_no}: allClients {by_root['allClients']}, want {round_no * PARTS}")
    check(by_root["allPianos"] == round_no and by_root["other"] == round_no,
          f"request {round_no}: the roots after the parts {by_root}")
    check(st["graphqlRequests"] == round_no, f"requests {st['graphqlRequests']}")
    check(st["pages"] == round_no * (PARTS + 1),
          f"pages {st['pages']}, want {round_no * (PARTS + 1)}")
finish()
PY
