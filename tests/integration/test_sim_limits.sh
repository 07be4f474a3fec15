#!/usr/bin/env bash
# gazelle-sim's size and cost limits (issue 13), answered as graphql-ruby
# answers them: a document whose complexity (the `first` of each connection
# times what is selected under it, plus its metadata) is over
# --max-complexity gets HTTP 200 and {"errors":[{"message":"Query has
# complexity of C, which exceeds max complexity of M"}]} and no "data"; one
# of more than --max-query-tokens tokens gets "This query is too large to
# execute." at the first token past the limit; neither is executed (no node
# counted). At the limit a document runs. Several root fields under aliases
# in one document (ranges of clients by creation date, pianos, events) each
# answer what they answer alone. Without the flags nothing is refused; a
# zero or non-numeric limit is a usage error.
source "$2/tools/gazelle-sim/tests/sim_env.sh"
for bad in 0 x -5; do
    rc=0
    "$SIM_BIN" --port 0 --max-complexity "$bad" >/dev/null 2>&1 || rc=$?
    [ "$rc" = 2 ] || { echo "FAIL: --max-complexity $bad exited $rc, not 2" >&2; exit 1; }
    rc=0
    "$SIM_BIN" --port 0 --max-query-tokens "$bad" >/dev/null 2>&1 || rc=$?
    [ "$rc" = 2 ] || { echo "FAIL: --max-query-tokens $bad exited $rc, not 2" >&2; exit 1; }
done
start_sim LIM --seed 9 --clients 120 --pianos 150 --events 300 --timeline 300 \
    --max-complexity 1000 --max-query-tokens 400
start_sim FREE --seed 9 --clients 120 --pianos 150 --events 300 --timeline 300
python3 - "$LIM" "$FREE" <<'PY'
import datetime, re, sys
from simlib import *
lim, free = sys.argv[1:3]

def nodes_served(base):
    return sim_json(base, "GET", "/__sim/stats")[1]["nodes"]

def refused(status, doc, message):
    errors = doc.get("errors") or []
    return (status == 200 and "data" not in doc and len(errors) == 1
            and errors[0]["message"] == message)

# 5 fields a client: 1 + first * 5 + 1 (nodes).
def clients_doc(first):
    return (f"{{ allClients(first: {first}) {{ nodes {{ id companyName "
            f"createdAt updatedAt status }} }} }}")

before = nodes_served(lim)
s, d = gql(lim, clients_doc(200))
check(refused(s, d, "Query has complexity of 1002, which exceeds max "
                    "complexity of 1000"), f"over max complexity: {s} {d}")
check(nodes_served(lim) == before, "a refused document is not executed")
s, d = gql(lim, clients_doc(199))
check(s == 200 and "errors" not in d and len(d["data"]["allClients"]["nodes"]) == 120,
      f"complexity 997 runs: {str(d)[:300]}")
# A variable's value is the page size, as graphql-ruby reads arguments.
s, d = gql(lim, "query Q($n: Int) { allClients(first: $n) { nodes { id "
                "companyName createdAt updatedAt status } } }", {"n": 250})
check(refused(s, d, "Query has complexity of 1252, which exceeds max "
                    "complexity of 1000"), f"first from a variable: {d}")
s, d = gql(free, clients_doc(200))
check(s == 200 and "errors" not in d, f"no limit without the flag: {str(d)[:200]}")

# Too many tokens: 6 an alias ("aN : allUsers { id }"), 2 for the braces
# around: 70 aliases are 422 tokens, 66 are 398.
def doc_of(n):
    return "{ " + " ".join(f"a{i}: allUsers {{ id }}" for i in range(n)) + " }"
big = doc_of(70)
token_401 = [m.start() for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*|[{}:]", big)][400]
s, d = gql(lim, big)
check(refused(s, d, "This query is too large to execute."), f"too large: {str(d)[:300]}")
check(d.get("errors", [{}])[0].get("locations") == [{"line": 1, "column": token_401 + 1}],
      f"at the first token past 400 (column {token_401 + 1}): {d.get('errors')}")
s, d = gql(lim, doc_of(66))
check(s == 200 and "errors" not in d and len(d["data"]) == 66, f"66 aliases run: {str(d)[:200]}")
s, d = gql(lim, "{ allUsers { nope } }")
check(s == 200 and "data" not in d and "nope" in d["errors"][0]["message"], "invalid stays invalid")
stats = sim_json(lim, "GET", "/__sim/stats")[1]
check(stats["limitRefusals"] == 3, f"three documents refused by a limit: {stats['limitRefusals']}")
check(sim_json(free, "GET", "/__sim/stats")[1]["limitRefusals"] == 0, "none without limits")

# Several root fields in one document under aliases: the creation-date
# ranges of clients a planner would pack, pianos and events beside them.
cs = sorted(dump(lim)["clients"], key=lambda c: c["createdAt"])
# createdGet and createdLet take dates, both inclusive: the early range ends
# on the middle client's day, the late one starts the day after.
cut = cs[len(cs) // 2]["createdAt"][:10]
after = (datetime.date.fromisoformat(cut) + datetime.timedelta(days=1)).isoformat()
rng = "nodes { id } totalCount pageInfo { hasNextPage }"
q = ("query Packed($cut: CoreDate, $after: CoreDate) { "
     f"early: allClients(first: 100, filters: {{createdLet: $cut}}) {{ {rng} }} "
     f"late: allClients(first: 100, filters: {{createdGet: $after}}) {{ {rng} }} "
     "pianos: allPianos(first: 5) { nodes { id } } "
     "events: allEventsBatched(first: 5) { nodes { id } } }")
s, d = gql(lim, q, {"cut": cut, "after": after})
check(s == 200 and "errors" not in d, f"packed document: {str(d)[:300]}")
if "data" in d and d["data"]:
    data = d["data"]
    check(list(data.keys()) == ["early", "late", "pianos", "events"],
          f"response keys in document order: {list(data.keys())}")
    for alias, arg, value in (("early", "createdLet", cut), ("late", "createdGet", after)):
        s1, alone = gql(lim, f"query A($v: CoreDate) {{ allClients(first: 100, "
                             f"filters: {{{arg}: $v}}) {{ {rng} }} }}", {"v": value})
        check(alone.get("data", {}).get("allClients") == data[alias],
              f"{alias} answers as it does alone")
    ids = [n["id"] for n in data["early"]["nodes"]] + [n["id"] for n in data["late"]["nodes"]]
    check(sorted(ids) == sorted(c["id"] for c in cs) and len(set(ids)) == len(ids),
          "the two ranges hold every client once")
    check(data["early"]["totalCount"] + data["late"]["totalCount"] == len(cs),
          "each range's totalCount is its own")
    for alias, root in (("pianos", "allPianos"), ("events", "allEventsBatched")):
        s1, alone = gql(lim, f"{{ {root}(first: 5) {{ nodes {{ id }} }} }}")
        check(alone.get("data", {}).get(root) == data[alias], f"{alias} as alone")
finish()
PY
