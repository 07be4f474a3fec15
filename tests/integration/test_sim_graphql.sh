#!/usr/bin/env bash
# gazelle-sim answers GraphQL like a real server: only selected fields,
# aliases, variables with defaults, every literal kind, errors with line and
# column in a 200, the Python client's query shapes, and exits 0 on SIGTERM.
source "$2/tools/gazelle-sim/tests/sim_env.sh"
start_sim SIM --seed 7 --clients 300 --pianos 400 --events 900 --timeline 2000
python3 - "$SIM" <<'PY'
import sys
from simlib import *
base = sys.argv[1]

# Only the selected fields come back, under their aliases, in order.
s, d = gql(base, '{ a: allClients(first: 3) { nodes { id who: companyName } } }')
check(s == 200 and list(d["data"]["a"].keys()) == ["nodes"], f"alias {d}")
check(all(list(n.keys()) == ["id", "who"] for n in d["data"]["a"]["nodes"]),
      "only selected fields, aliased")
check(len(d["data"]["a"]["nodes"]) == 3, "first: 3 gives 3 nodes")

# Variables, defaults and every literal kind (the filter object, enum lists,
# strings with escapes, null, booleans through @include, ints).
q = '''query Q($n: Int = 2, $types: [EventType!] = [APPOINTMENT], $yes: Boolean!) {
  allEventsBatched(first: $n, after: null, sortBy: [START_DESC],
                   filters: {type: $types, dateGet: "2026-01-01", dateLet: "2026\\u002D12-31"}) {
    nodes { id type start @include(if: $yes) title @skip(if: true) } } }'''
s, d = gql(base, q, {"yes": True})
nodes = d.get("data", {}) and d["data"]["allEventsBatched"]["nodes"]
check(s == 200 and nodes and len(nodes) == 2, f"defaults {d}")
check(all(n["type"] == "APPOINTMENT" and "start" in n and "title" not in n
          for n in nodes or []), "enum list default, @include, @skip")
check(nodes and nodes[0]["start"] >= nodes[1]["start"], "START_DESC order")
s, d = gql(base, q, {})
check("errors" in d and "yes" in d["errors"][0]["message"],
      f"missing required variable is an error: {d}")

# Errors: unknown field, unknown argument, syntax; all HTTP 200.
s, d = gql(base, '{ allClients { nodes { id\n  bogus } } }')
check(s == 200 and d["data"] is None and d["errors"][0]["locations"] ==
      [{"line": 2, "column": 3}] and "bogus" in d["errors"][0]["message"],
      f"unknown field: {d}")
s, d = gql(base, '{ allClients(frist: 3) { nodes { id } } }')
check(s == 200 and "frist" in d["errors"][0]["message"], f"unknown arg {d}")
s, d = gql(base, 'query {\n  allUsers {\n    nodes { id ] } } }')
check(s == 200 and d["errors"][0]["locations"] == [{"line": 3, "column": 16}]
      and d["errors"][0]["message"].startswith("Syntax Error"),
      f"syntax error position: {d}")
s, d = gql(base, '{ allUsers { nodes { id } } ')
check("<EOF>" in d["errors"][0]["message"], f"EOF error {d}")
s, d = gql(base, '{ allUsers { nodes { id(x: 1) } } }')
check("errors" in d, "argument on a leaf is refused")
s, _, body = request(base, "POST", "/graphql/private/", "not json")
check(s == 400, "a body that is not JSON is a 400")
s, _, _ = request(base, "POST", "/graphql/private", {"query": "{ allUsers { nodes { id } } }"})
check(s == 404, "the trailing slash matters")
s, d = gql(base, '{ allClients(sortBy: NAME_ASC) { nodes { id } } }')
check("errors" in d and "NAME_ASC" in d["errors"][0]["message"], "bad enum")
s, d = gql(base, '{ allClients(after: "bm9wZQ") { nodes { id } } }')
check("errors" in d and "cursor" in d["errors"][0]["message"], "bad cursor")

# The Python client's shapes.
full = '''{ allClients { nodes { id companyName status tags clientType
  personalNotes preferenceNotes preferredTechnicianId lifecycleState
  referredBy noContactUntil noContactReason defaultClientLocalization { locale }
  createdAt updatedAt defaultContact { id firstName lastName title
  defaultEmail { email } defaultPhone { phoneNumber }
  defaultLocation { street1 street2 municipality postalCode region } } } } }'''
s, d = gql(base, full)
nodes = d["data"]["allClients"]["nodes"]
check(len(nodes) == 100, "no paging arguments: the default page of 100")
check(any(n["defaultContact"] is None for n in dump(base)["clients"]),
      "some clients have no default contact")
check(all(n["defaultClientLocalization"]["locale"] in ("fr_CA", "en_US")
          for n in nodes), "locales")
s, d = gql(base, '''query($cursor: String) { allClients(first: 100, after: $cursor,
  sortBy: [UPDATED_AT_DESC]) { edges { node { id updatedAt } }
  pageInfo { hasNextPage endCursor } } }''', {"cursor": None})
check(d["data"]["allClients"]["pageInfo"]["hasNextPage"] is True, "edges shape")
s, d = gql(base, '''query($cursor: String, $occurredAtGet: CoreDateTime) {
  allTimelineEntries(first: 100, after: $cursor, occurredAtGet: $occurredAtGet) {
  edges { node { id occurredAt type summary comment client { id } piano { id }
  invoice { id } estimate { id } user { id } } } pageInfo { hasNextPage endCursor } } }''',
  {"cursor": None, "occurredAtGet": "2026-10-01T00:00:00Z"})
edges = d["data"]["allTimelineEntries"]["edges"]
check(edges and all(e["node"]["occurredAt"] >= "2026-10-01T00:00:00Z" for e in edges),
      "timeline occurredAtGet shape")

# Values: id format, timestamps, text with accents/newlines/quotes/emoji.
import re
dd = dump(base)
idre = {"users": "usr_", "clients": "cli_", "pianos": "pia_", "events": "evt_",
        "timeline": "tle_"}
for k, p in idre.items():
    check(all(re.fullmatch(p + "[A-Za-z0-9]{16}", r["id"]) for r in dd[k]),
          f"{k} ids are {p} + 16 letters/digits")
check(all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["updatedAt"])
          for r in dd["clients"]), "UTC timestamps")
text = json.dumps(dd, ensure_ascii=False)
for needle in ["é", "\\n", '\\"', "🎹"]:
    check(needle in text, f"dataset has {needle!r}")
check(any(e["client"] is None for e in dd["events"]), "events with null client")
check(any(e["user"] is None and e["type"] in ("PERSONAL", "MEMO")
          for e in dd["events"]), "personal/memo events with null user")
users = {u["id"] for u in dd["users"]}
check(all(e["user"] is not None and e["user"]["id"] in users
          for e in dd["events"] if e["type"] == "APPOINTMENT"),
      "every appointment names an existing technician")

# client(id) and piano(id).
cid = dd["clients"][5]["id"]
s, d = gql(base, 'query($id: String!) { client(id: $id) { id } }', {"id": cid})
check(d["data"]["client"] == {"id": cid}, "client(id)")
s, d = gql(base, '{ piano(id: "pia_0000000000000000") { id } }')
check(d["data"]["piano"] is None, "unknown piano id gives null")
s, d = gql(base, '{ a: allUsers(first: 1) { nodes { id } } b: allUsers(first: 2) { nodes { id } } }')
check(len(d["data"]["a"]["nodes"]) == 1 and len(d["data"]["b"]["nodes"]) == 2,
      "two root fields in one document")
s, d = gql(base, '{ allClients(first: 500) { nodes { id } } }')
check(len(d["data"]["allClients"]["nodes"]) == 200, "first is capped at 200")
s, d = gql(base, 'query A { allUsers { nodes { id } } } query B { allPianos(first: 1) { nodes { id } } }', op="B")
check("allPianos" in d.get("data", {}), "operationName picks the operation")
finish()
PY
stop_sim SIM
echo "sigterm: exit 0"
