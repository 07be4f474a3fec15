#!/usr/bin/env bash
# Each fault rule fires exactly on the requests it names, and only there;
# /__sim/stats counts requests by root field and status.
source "$2/tools/gazelle-sim/tests/sim_env.sh"
start_sim SIM --seed 3 --clients 120 --pianos 100 --events 200 --timeline 300
python3 - "$SIM" <<'PY'
import sys, time, socket, http.client
from simlib import *
base = sys.argv[1]
Q = {"allClients": "{ allClients(first: 5) { nodes { id } } }",
     "allUsers": "{ allUsers { id } }"}

def faults(rules):
    s, d = sim_json(base, "POST", "/__sim/faults", {"rules": rules})
    check(s == 200, f"rules accepted: {d}")

def hit(root):
    try:
        return request(base, "POST", "/graphql/private/", {"query": Q[root]}, timeout=10)
    except (http.client.HTTPException, ConnectionError, socket.timeout, OSError) as e:
        return ("dropped", {}, repr(e).encode())

def ok(r):
    return r[0] == 200 and b'"data":{' in r[2]

# nth: only the 3rd allClients request; allUsers requests do not count.
faults([{"field": "allClients", "nth": 3, "action": "status", "status": 503}])
seq = []
for root in ["allClients", "allUsers", "allClients", "allUsers", "allClients", "allClients"]:
    seq.append(hit(root))
check([ok(r) for r in seq] == [True, True, True, True, False, True], f"nth=3 {[r[0] for r in seq]}")
check(seq[4][0] == 503, "the 3rd allClients request got 503")

# every: every 2nd request of any root, at most twice.
faults([{"field": "*", "every": 2, "count": 2, "action": "status", "status": 500}])
seq = [hit("allUsers")[0] for _ in range(7)]
check(seq == [200, 500, 200, 500, 200, 200, 200], f"every=2 count=2: {seq}")

# nth with count: requests 2 and 3; 429 carries Retry-After.
faults([{"field": "allUsers", "nth": 2, "count": 2, "action": "status", "status": 429, "retry_after": 7}])
seq = [hit("allUsers") for _ in range(4)]
check([r[0] for r in seq] == [200, 429, 429, 200], f"nth=2 count=2 {[r[0] for r in seq]}")
check(seq[1][1].get("retry-after") == "7", f"Retry-After header {seq[1][1]}")

for status in (401, 502):
    faults([{"field": "*", "nth": 1, "action": "status", "status": status}])
    check(hit("allUsers")[0] == status and ok(hit("allUsers")), f"status {status} once")

faults([{"field": "allUsers", "nth": 1, "action": "graphql_error"}])
r = hit("allUsers")
d = json.loads(r[2])
check(r[0] == 200 and d["data"] is None and d["errors"], "graphql_error: 200 with errors, data null")

faults([{"field": "allUsers", "nth": 1, "action": "not_json"}])
r = hit("allUsers")
try:
    json.loads(r[2]); parsed = True
except ValueError:
    parsed = False
check(r[0] == 200 and not parsed, "not_json: 200 with a body that is not JSON")

faults([{"field": "allUsers", "nth": 2, "action": "delay", "delay_ms": 400}])
t0 = time.time(); r1 = hit("allUsers"); t1 = time.time(); r2 = hit("allUsers"); t2 = time.time()
check(ok(r1) and ok(r2) and t1 - t0 < 0.3 and t2 - t1 >= 0.4, f"delay: {t1-t0:.3f} {t2-t1:.3f}")

faults([{"field": "allClients", "nth": 1, "action": "truncate", "keep_bytes": 20}])
r = hit("allClients")
check(r[0] == "dropped", f"truncate: the client sees a cut body ({r[0]} {r[2][:60]})")
check(ok(hit("allClients")), "truncate fires once")

faults([{"field": "allClients", "nth": 1, "action": "close"}])
r = hit("allClients")
check(r[0] == "dropped", f"close: the connection is dropped ({r[0]})")
check(ok(hit("allClients")), "close fires once")

faults([{"field": "oauth", "nth": 1, "action": "status", "status": 503}])
s, _, _ = request(base, "POST", "/developer/oauth/token", "grant_type=refresh_token&refresh_token=x",
                  {"Content-Type": "application/x-www-form-urlencoded"})
check(s == 503, "faults on the token endpoint")
check(ok(hit("allUsers")), "oauth rules do not touch GraphQL")

s, d = sim_json(base, "POST", "/__sim/faults", {"rules": [{"field": "*", "action": "status"}]})
check(s == 400, "a rule without nth/every is refused")
s, d = sim_json(base, "DELETE", "/__sim/faults")
check(s == 200 and d["rules"] == [], "DELETE clears")
check(all(ok(hit("allUsers")) for _ in range(3)), "no faults after DELETE")

# Stats.
sim_json(base, "POST", "/__sim/stats/reset")
hit("allClients"); hit("allClients"); hit("allUsers")
gql(base, "{ allUsers { id } allClients(first: 7) { edges { node { id } } } }")
gql(base, "{ nope }")
gql(base, '{ event(eventId: "evt_x") { id } user { id } allInvoiceTags }')
faults([{"field": "*", "nth": 1, "action": "status", "status": 429}])
hit("allUsers")
request(base, "DELETE", "/__sim/faults")
s, st = sim_json(base, "GET", "/__sim/stats")
check(st["requests"] == 7 and st["graphqlRequests"] == 7, f"request count {st}")
check(st["byRootField"] == {"allUsers": 3, "allClients": 3, "allPianos": 0,
                            "allEventsBatched": 0, "allEvents": 0, "allTimelineEntries": 0, "client": 0,
                            "piano": 0, "event": 1, "contact": 0, "user": 1, "other": 2},
      f"by root, under the real root names {st['byRootField']}")
check(st["byStatus"] == {"200": 6, "429": 1}, f"by status {st['byStatus']}")
nusers = len(dump(base)["users"])
check(st["pages"] == 5 and st["nodes"] == 5 + 5 + nusers + nusers + 7,
      f"pages and nodes {st['pages']} {st['nodes']}")
check(st["bytesSent"] > 0 and st["faultsFired"] == 1, "bytes and faults")
finish()
PY
