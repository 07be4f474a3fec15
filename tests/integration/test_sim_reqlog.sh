#!/usr/bin/env bash
# --log-requests FILE appends every GraphQL request as one JSON line
# {"query","variables","operationName"}, flushed per line (read here while
# the simulator still runs), after what the file already held; requests that
# fail auth or are not JSON are logged too; /__sim calls are not.
source "$2/tools/gazelle-sim/tests/sim_env.sh"
LOG="$SIM_TMP/requests.jsonl"
echo '{"query":"earlier run","variables":null,"operationName":null}' > "$LOG"
start_sim SIM --seed 2 --clients 20 --pianos 20 --events 20 --timeline 20 \
    --token AT --log-requests "$LOG"
python3 - "$SIM" "$LOG" <<'PY'
import sys
from simlib import *
base, log = sys.argv[1:3]
auth = {"Authorization": "Bearer AT"}
q1 = "query U { allUsers { id } }"
q2 = "query C($n: Int) { allClients(first: $n) { nodes { id } } }"
gql(base, q1, headers=auth)
gql(base, q2, {"n": 3}, headers=auth, op="C")
request(base, "POST", "/graphql/private/", "not json", auth)
gql(base, q1)  # no token: 401, still logged
sim_json(base, "GET", "/__sim/stats")
lines = [json.loads(l) for l in open(log, encoding="utf-8")]
want = [
    {"query": "earlier run", "variables": None, "operationName": None},
    {"query": q1, "variables": None, "operationName": None},
    {"query": q2, "variables": {"n": 3}, "operationName": "C"},
    {"query": None, "variables": None, "operationName": None},
    {"query": q1, "variables": None, "operationName": None},
]
check(lines == want, f"log lines: {lines}")
check(all(list(l) == ["query", "variables", "operationName"] for l in lines[1:]),
      "members in a fixed order")
finish()
PY
s=0; "$SIM_BIN" --port 0 --log-requests /nonexistent/dir/x.jsonl >/dev/null 2>"$SIM_TMP/err" || s=$?
[ "$s" -eq 1 ] && grep -q "log-requests" "$SIM_TMP/err" || { echo "FAIL: unwritable log file: exit $s"; exit 1; }
