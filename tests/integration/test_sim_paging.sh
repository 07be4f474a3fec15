#!/usr/bin/env bash
# Paging through every connection root under every sort the schema has
# (modelled or not) returns every row exactly once (checked against the
# dump), with nodes and with edges; rows sharing a createdAt straddle page
# boundaries; keyset paging stays exact while churn runs between pages; and
# allUsers is one plain list.
source "$2/tools/gazelle-sim/tests/sim_env.sh"
start_sim SIM --seed 11 --clients 900 --pianos 700 --events 1500 --timeline 3000
python3 - "$SIM" <<'PY'
import sys
from collections import Counter
from simlib import *
base = sys.argv[1]

# (sort, key the order follows, descending); STATUS_ASC, MAKE_DESC and
# USER_LAST_NAME_ASC are not modelled and page in the modelled order.
SORTS = {"allClients": [("CREATED_AT_ASC", "createdAt", False), ("CREATED_AT_DESC", "createdAt", True),
                        ("STATUS_ASC", "createdAt", False)],
         "allPianos": [("CREATED_AT_ASC", "createdAt", False), ("CREATED_AT_DESC", "createdAt", True),
                       ("MAKE_DESC", "createdAt", True)],
         "allEventsBatched": [("START_ASC", "start", False), ("START_DESC", "start", True),
                              ("USER_LAST_NAME_ASC", "start", False), (None, "start", False)],
         "allTimelineEntries": [(None, "occurredAt", True)]}

truth = dump(base)
straddle = False
for root, sorts in SORTS.items():
    want = {r["id"] for r in truth[DUMP_KEY[root]]}
    for sort, key, desc in sorts:
        for shape, first in (("edges", 100), ("nodes", 37)):
            args = f"sortBy: [{sort}]" if sort else ""
            pages, n = page_all(base, root, args, fields=f"id {key}", first=first, shape=shape)
            got = [r["id"] for p in pages for r in p]
            c = Counter(got)
            check(set(got) == want and all(v == 1 for v in c.values()),
                  f"{root} {sort} {shape}: every row once "
                  f"(got {len(got)}, want {len(want)}, dups {sum(v > 1 for v in c.values())})")
            flat = [r[key] for p in pages for r in p]
            check(flat == sorted(flat, reverse=desc), f"{root} {sort} order")
            for a, b in zip(pages, pages[1:]):
                if a and b and a[-1][key] == b[0][key]:
                    straddle = True
check(straddle, "some rows sharing a key straddle a page boundary")
same = Counter(c["createdAt"] for c in truth["clients"])
check(max(same.values()) > 100, "a bulk import shares one createdAt over >100 clients")
s, d = gql(base, "{ allUsers { id } }")
check([u["id"] for u in d["data"]["allUsers"]] == [u["id"] for u in truth["users"]],
      "allUsers: every user in one list")
s, d = gql(base, '{ allClients(after: "djE6MDowOjA6MA") { nodes { id } } }')
check(d.get("data") is None and "cursor" in d["errors"][0]["message"],
      "a users cursor is refused by allClients")

# Backward paging: last alone walks from the end with before, and gives
# the same list as paging forward; first with last keeps the last of the
# first; hasPreviousPage/hasNextPage say what lies beyond.
for root, sort in [("allClients", "CREATED_AT_DESC"), ("allEventsBatched", "START_ASC"),
                   ("allTimelineEntries", None)]:
    srt = f", sortBy: [{sort}]" if sort else ""
    fwd, _ = page_all(base, root, srt.lstrip(", "), fields="id", first=90)
    fwd = [r["id"] for p in fwd for r in p]
    q = (f"query($b: String) {{ {root}(last: 70, before: $b{srt}) {{ nodes {{ id }} "
         f"pageInfo {{ hasPreviousPage hasNextPage startCursor }} }} }}")
    back, before, pages = [], None, 0
    while pages < 200:
        s, d = gql(base, q, {"b": before})
        if not check("errors" not in d, f"{root} last/before: {str(d)[:200]}"):
            break
        conn = d["data"][root]
        back = [r["id"] for r in conn["nodes"]] + back
        check(conn["pageInfo"]["hasNextPage"] == (before is not None), f"{root}: hasNextPage backward")
        pages += 1
        if not conn["pageInfo"]["hasPreviousPage"]:
            break
        before = conn["pageInfo"]["startCursor"]
    check(back == fwd, f"{root} {sort}: backward paging gives the forward list ({len(back)} vs {len(fwd)})")
    s, d = gql(base, f"{{ {root}(first: 10, last: 3{srt}) {{ nodes {{ id }} pageInfo {{ hasPreviousPage hasNextPage }} }} }}")
    conn = d["data"][root]
    check([r["id"] for r in conn["nodes"]] == fwd[7:10] and conn["pageInfo"] ==
          {"hasPreviousPage": True, "hasNextPage": True}, f"{root}: first 10, last 3")

# Churn between pages. Orders whose key never changes (createdAt, a
# timeline entry's occurredAt) give every row that lived through the walk
# exactly once and nothing twice; under start orders every event whose
# start did not move is seen exactly once (a rescheduled one may be seen
# at its old and its new place, as with any keyset pager).
for root, sort, key in [("allClients", "CREATED_AT_ASC", "createdAt"),
                        ("allClients", "CREATED_AT_DESC", "createdAt"),
                        ("allPianos", "CREATED_AT_DESC", "createdAt"),
                        ("allEventsBatched", "START_ASC", "start"),
                        ("allEventsBatched", "START_DESC", "start"),
                        ("allTimelineEntries", None, "occurredAt")]:
    before = {r["id"]: r for r in dump(base)[DUMP_KEY[root]]}
    args = f"sortBy: [{sort}]" if sort else ""
    pages, n = page_all(base, root, args, fields=f"id {key}", first=50,
                        between=lambda i: advance(base, 2))
    after = {r["id"]: r for r in dump(base)[DUMP_KEY[root]]}
    got = Counter(r["id"] for p in pages for r in p)
    stable = [i for i in before if i in after and before[i][key] == after[i][key]]
    check(len(stable) > 0, f"{root} {sort}: some rows unchanged")
    missing = [i for i in stable if got[i] != 1]
    check(not missing, f"{root} {sort} under churn: {len(missing)} unchanged rows "
          f"not seen exactly once")
    if key != "start":
        check(all(v == 1 for v in got.values()), f"{root} {sort}: no repeats under churn")
        lived = [i for i in before if i in after]
        check(all(got[i] == 1 for i in lived), f"{root} {sort}: survivors once")
finish()
PY
