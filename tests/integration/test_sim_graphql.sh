#!/usr/bin/env bash
# gazelle-sim answers GraphQL like the real service, from its own schema
# (schema/gazelle.graphql): only selected fields, aliases, variables with
# defaults, every literal kind, errors in a 200; the real shapes (allUsers a
# plain list, totalCount, contacts with archived ones, the real enum values
# and nothing else); every field it does not model answered with the
# type-correct default the SDL implies; exits 0 on SIGTERM.
source "$2/tools/gazelle-sim/tests/sim_env.sh"
start_sim SIM --seed 7 --clients 300 --pianos 400 --events 900 --timeline 2000
python3 - "$SIM" "$2/schema/gazelle.graphql" <<'PY'
import re, sys
from simlib import *
base, schema_path = sys.argv[1:3]
TYPES, ENUMS = sdl(schema_path)

def ok(d):
    return "errors" not in d and d.get("data") is not None

def rejected(q, needle, variables=None):
    s, d = gql(base, q, variables)
    # Refused before execution: errors and no "data" member at all, as
    # graphql-ruby answers.
    check(s == 200 and "data" not in d and d.get("errors") and
          needle in d["errors"][0]["message"], f"rejected ({needle}): {d}")

# Only the selected fields come back, under their aliases, in order.
s, d = gql(base, '{ a: allClients(first: 3) { nodes { id who: companyName } } }')
check(s == 200 and list(d["data"]["a"].keys()) == ["nodes"], f"alias {d}")
check(all(list(n.keys()) == ["id", "who"] for n in d["data"]["a"]["nodes"]),
      "only selected fields, aliased")
check(len(d["data"]["a"]["nodes"]) == 3, "first: 3 gives 3 nodes")
s, d = gql(base, '{ __typename allUsers { __typename } }')
check(d["data"]["__typename"] == "PrivateQuery" and
      d["data"]["allUsers"][0] == {"__typename": "PrivateUser"}, f"__typename {d}")

# Variables, defaults and every literal kind (the filter object, enum lists,
# strings with escapes, null, booleans through @include, ints).
q = '''query Q($n: Int = 2, $types: [EventType!] = [APPOINTMENT], $yes: Boolean!) {
  allEventsBatched(first: $n, after: null, sortBy: [START_DESC],
                   filters: {type: $types, dateGet: "2026-01-01", dateLet: "2026\\u002D12-31"}) {
    nodes { id type start @include(if: $yes) title @skip(if: true) } } }'''
s, d = gql(base, q, {"yes": True})
nodes = d.get("data") and d["data"]["allEventsBatched"]["nodes"]
check(s == 200 and nodes and len(nodes) == 2, f"defaults {d}")
check(all(n["type"] == "APPOINTMENT" and "start" in n and "title" not in n
          for n in nodes or []), "enum list default, @include, @skip")
check(nodes and nodes[0]["start"] >= nodes[1]["start"], "START_DESC order")
s, d = gql(base, q, {})
check("errors" in d and "yes" in d["errors"][0]["message"],
      f"missing required variable is an error: {d}")

# Errors in a 200 with no data; a body that is not JSON is a 400.
s, d = gql(base, '{ allClients { nodes { id\n  bogus } } }')
check(s == 200 and "data" not in d and d["errors"][0]["locations"] ==
      [{"line": 2, "column": 3}] and "bogus" in d["errors"][0]["message"],
      f"unknown field: {d}")
rejected('{ allClients(frist: 3) { nodes { id } } }', "frist")
s, d = gql(base, 'query {\n  allUsers {\n    id ] } }')
check(s == 200 and d["errors"][0]["locations"] == [{"line": 3, "column": 8}]
      and d["errors"][0]["message"].startswith("Syntax Error"),
      f"syntax error position: {d}")
s, d = gql(base, '{ allUsers { id } ')
check("<EOF>" in d["errors"][0]["message"], f"EOF error {d}")
rejected('{ allUsers { id(x: 1) } }', "x")
s, _, body = request(base, "POST", "/graphql/private/", "not json")
check(s == 400, "a body that is not JSON is a 400")
s, _, _ = request(base, "POST", "/graphql/private", {"query": "{ allUsers { id } }"})
check(s == 404, "the trailing slash matters")
s, d = gql(base, '{ allClients(after: "bm9wZQ") { nodes { id } } }')
check(d.get("data") is None and "cursor" in d["errors"][0]["message"], "bad cursor")

# What the old contract allowed and the real schema does not.
rejected('{ allUsers(first: 5) { id } }', "first")
rejected('{ allUsers { nodes { id } } }', "nodes")
rejected('{ allUsers { id phone } }', "phone")
rejected('{ allUsers { id role } }', "role")
rejected('{ allClients(sortBy: [UPDATED_AT_DESC]) { nodes { id } } }', "UPDATED_AT_DESC")
rejected('{ allPianos(sortBy: [UPDATED_AT_ASC]) { nodes { id } } }', "UPDATED_AT_ASC")
rejected('{ allEventsBatched(sortBy: [CREATED_AT_ASC]) { nodes { id } } }', "CREATED_AT_ASC")
rejected('{ allTimelineEntries { nodes { id createdAt } } }', "createdAt")
rejected('{ allTimelineEntries { nodes { id updatedAt } } }', "updatedAt")
rejected('{ allEventsBatched(filters: {status: [COMPLETED]}) { nodes { id } } }', "COMPLETED")

# allUsers: the whole list in one answer, the real fields.
s, d = gql(base, '{ allUsers { id firstName lastName fullName email status accessLevel '
                 'isSchedulable timezone region color createdAt updatedAt } }')
users = d["data"]["allUsers"]
dd = dump(base)
check([u["id"] for u in users] == [u["id"] for u in dd["users"]], "allUsers: every user")
check(all(u["fullName"] == f'{u["firstName"]} {u["lastName"]}' for u in users), "fullName")
check({u["accessLevel"] for u in users} >= {"ADMIN", "TECHNICIAN"}, "access levels")

# Every enum value in the data is one of the schema's, and the old
# spellings appear nowhere.
def values(rows, key):
    return {r[key] for r in rows}
for rows, key, enum in [(dd["users"], "status", "UserStatus"),
                        (dd["users"], "accessLevel", "AccessLevel"),
                        (dd["clients"], "status", "ClientStatus"),
                        (dd["pianos"], "status", "PianoStatus"),
                        (dd["pianos"], "type", "PianoType"),
                        (dd["events"], "status", "EventStatus"),
                        (dd["events"], "type", "EventType"),
                        (dd["events"], "travelMode", "SchedulerTravelMode"),
                        (dd["timeline"], "type", "TimelineEntryType")]:
    got = values(rows, key) - {None}
    check(got and got <= set(ENUMS[enum]), f"{key} values {got} are {enum}'s")
check(values(dd["events"], "status") >= {"ACTIVE", "CANCELED", "COMPLETE"},
      f"events: active, canceled and complete ones {values(dd['events'], 'status')}")
check(len(values(dd["clients"], "status")) >= 3, "clients of several statuses")
text = json.dumps(dd, ensure_ascii=False)
for old in ('"COMPLETED"', '"CANCELLED"', '"OFFICE"', '"EMAIL"', '"SMS"', '"PLAYER"'):
    check(old not in text, f"{old} appears nowhere")
check(all(t["client"] is not None for t in dd["timeline"]),
      "every timeline entry has its (non-null) client")
check(all(not set(t) & {"createdAt", "updatedAt"} for t in dd["timeline"]),
      "timeline entries expose no stamps")

# Contacts: several per client, one default (never archived), archived ones
# only with includeArchived: true; totalCount counts what is listed.
CF = "id isDefault archived"
s, d = gql(base, f'''{{ allClients(first: 200) {{ nodes {{ id defaultContact {{ id }}
  live: allContacts {{ totalCount nodes {{ {CF} }} }}
  every: allContacts(includeArchived: true, first: 200) {{ totalCount nodes {{ {CF} }} }} }} }} }}''')
clients = d["data"]["allClients"]["nodes"]
check(any(c["every"]["totalCount"] > 1 for c in clients), "some clients have several contacts")
check(any(k["archived"] for c in clients for k in c["every"]["nodes"]), "some contacts are archived")
check(any(c["defaultContact"] is None and c["every"]["totalCount"] == 0 for c in clients),
      "some clients have no contact at all")
for c in clients:
    every, live = c["every"]["nodes"], c["live"]["nodes"]
    defaults = [k["id"] for k in every if k["isDefault"]]
    check(live == [k for k in every if not k["archived"]], f"{c['id']}: archived only on request")
    check(c["every"]["totalCount"] == len(every) and c["live"]["totalCount"] == len(live),
          f"{c['id']}: contact totalCount")
    check(defaults == ([c["defaultContact"]["id"]] if c["defaultContact"] else []),
          f"{c['id']}: defaultContact is the one isDefault contact")
    check(not any(k["isDefault"] and k["archived"] for k in every), "a default is never archived")
busy = max(clients, key=lambda c: c["every"]["totalCount"])
cid = busy["id"]
seen, after = [], None
while True:
    s, d = gql(base, 'query($id: String!, $a: String) { client(id: $id) { allContacts('
               'first: 1, after: $a, includeArchived: true) { nodes { id } pageInfo { '
               'hasNextPage endCursor } } } }', {"id": cid, "a": after})
    conn = d["data"]["client"]["allContacts"]
    seen += [k["id"] for k in conn["nodes"]]
    if not conn["pageInfo"]["hasNextPage"]:
        break
    after = conn["pageInfo"]["endCursor"]
check(seen == [k["id"] for k in busy["every"]["nodes"]], "contacts page one by one")

# Every leaf field of each node type answers with a value of its SDL type;
# the ones the simulator does not model answer exactly the default.
MODELLED = {
    "PrivateUser": "id firstName lastName fullName email status accessLevel isSchedulable timezone region color createdAt updatedAt",
    "PrivateClient": "id companyName status tags clientType personalNotes preferenceNotes preferredTechnicianId lifecycleState referredBy noContactUntil noContactReason createdAt updatedAt",
    "PrivateContact": "id firstName lastName title role isDefault archived wantsEmail wantsPhone wantsText createdAt updatedAt",
    "PrivatePiano": "id make model serialNumber type year location notes status size tags serviceIntervalMonths calculatedLastService calculatedNextService caseColor caseFinish useType hasIvory rental playerInstalled consignment needsRepairOrRebuilding damppChaserInstalled createdAt updatedAt",
    "PrivateEvent": "id title start duration isAllDay notes type status confirmedByClient source travelMode timezone createdAt updatedAt",
    "PrivateTimelineEntry": "id occurredAt type summary comment",
}
ROOT = {"PrivateUser": ("allUsers", "{sel}"), "PrivateClient": ("allClients", "nodes {{ {sel} }}"),
        "PrivatePiano": ("allPianos", "nodes {{ {sel} }}"),
        "PrivateEvent": ("allEventsBatched", "nodes {{ {sel} }}"),
        "PrivateTimelineEntry": ("allTimelineEntries", "nodes {{ {sel} }}")}
for tname, modelled in MODELLED.items():
    leaves = leaf_fields(TYPES, ENUMS, tname)
    sel = " ".join(leaves)
    if tname == "PrivateContact":
        q = f"{{ allClients(first: 50) {{ nodes {{ allContacts(includeArchived: true) {{ nodes {{ {sel} }} }} }} }} }}"
    else:
        root, shape = ROOT[tname]
        q = f"{{ {root}{'' if root == 'allUsers' else '(first: 50)'} {{ {shape.format(sel=sel)} }} }}"
    s, d = gql(base, q)
    if not check(ok(d), f"{tname}: every leaf field validates and is answered: {str(d)[:300]}"):
        continue
    data = d["data"]
    rows = (data["allUsers"] if tname == "PrivateUser" else
            [k for c in data["allClients"]["nodes"] for k in c["allContacts"]["nodes"]]
            if tname == "PrivateContact" else next(iter(data.values()))["nodes"])
    check(len(rows) > 0, f"{tname}: rows")
    bad = [(f, r.get(f)) for r in rows for f, t in leaves.items()
           if not type_ok(r.get(f, "absent"), t, TYPES, ENUMS)]
    check(not bad, f"{tname}: values of their SDL types, e.g. {bad[:3]}")
    mod = set(modelled.split())
    check(mod <= set(leaves), f"{tname}: modelled fields {mod - set(leaves)} exist")
    wrong = [(f, r[f]) for r in rows for f, t in leaves.items()
             if f not in mod and r[f] != default_of(t, TYPES, ENUMS)]
    check(not wrong, f"{tname}: unmodelled fields get the default, e.g. {wrong[:3]}")
# Objects and lists nobody models: null where nullable, [] and minimal
# objects where not, their own selections answered the same way.
s, d = gql(base, '''{ badgeCount { __typename } allInvoiceTags allLocalizations { locale }
  user { flags { __typename } sharedCalendars { id } localization { locale } }
  allClients(first: 1) { nodes { company { id } allClientsReferred { id }
    defaultClientLocalization { locale currencyFormat isClientDefault id } } } }''')
data = d.get("data") or {}
check(ok(d) and data["badgeCount"] == {"__typename": "PrivateBadgeCount"}
      and data["allInvoiceTags"] == [] and data["allLocalizations"] == []
      and data["user"]["flags"] == {"__typename": "PrivateUserFlags"}
      and data["user"]["sharedCalendars"] == [] and data["user"]["localization"] is None,
      f"unmodelled roots and objects: {d}")
loc = data and data["allClients"]["nodes"][0]
check(loc and loc["company"] is None and loc["allClientsReferred"] == [] and
      loc["defaultClientLocalization"]["locale"] in ("fr_CA", "en_US") and
      loc["defaultClientLocalization"]["currencyFormat"] == ENUMS["CurrencyFormat"][0] and
      loc["defaultClientLocalization"]["isClientDefault"] is False and
      loc["defaultClientLocalization"]["id"] is None, f"nested defaults {loc}")

# allEvents is the plain-list twin of allEventsBatched: every matching row
# in one answer, in the same order.
s, d = gql(base, '{ allEvents(filters: {status: [COMPLETE, NO_SHOW]}, sortBy: [START_DESC]) { id status start } }')
want = sorted((e for e in dd["events"] if e["status"] in ("COMPLETE", "NO_SHOW")),
              key=lambda e: (e["start"]), reverse=True)
got = d["data"]["allEvents"]
check(len(got) == len(want) > 200 and {e["id"] for e in got} == {e["id"] for e in want}
      and [e["start"] for e in got] == [e["start"] for e in want], f"allEvents: {len(got)} of {len(want)}")

# Connections: default page of 100, capped at 200, totalCount of the whole
# filtered list, edges and pageInfo.
s, d = gql(base, '{ allClients { totalCount nodes { id } } }')
check(len(d["data"]["allClients"]["nodes"]) == 100, "no paging arguments: the default page of 100")
check(d["data"]["allClients"]["totalCount"] == len(dd["clients"]), "totalCount is every client")
s, d = gql(base, '{ allClients(first: 500) { nodes { id } } }')
check(len(d["data"]["allClients"]["nodes"]) == 200, "first is capped at 200")
s, d = gql(base, '''query($cursor: String) { allClients(first: 100, after: $cursor,
  sortBy: [CREATED_AT_DESC]) { edges { cursor node { id createdAt } }
  pageInfo { hasNextPage endCursor hasPreviousPage startCursor } } }''', {"cursor": None})
conn = d["data"]["allClients"]
check(conn["pageInfo"]["hasNextPage"] is True and conn["pageInfo"]["hasPreviousPage"] is False
      and conn["pageInfo"]["startCursor"] == conn["edges"][0]["cursor"], "edges and pageInfo")
check(all(a["node"]["createdAt"] >= b["node"]["createdAt"]
          for a, b in zip(conn["edges"], conn["edges"][1:])), "CREATED_AT_DESC order")

# Values: id format, timestamps, text with accents/newlines/quotes/emoji.
idre = {"users": "usr_", "clients": "cli_", "pianos": "pia_", "events": "evt_",
        "timeline": "tle_"}
for k, p in idre.items():
    check(all(re.fullmatch(p + "[A-Za-z0-9]{16}", r["id"]) for r in dd[k]),
          f"{k} ids are {p} + 16 letters/digits")
check(all(re.fullmatch("con_[A-Za-z0-9]{16}", k["id"]) for c in dd["clients"]
          for k in c["contacts"]["nodes"]), "contact ids")
check(all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["updatedAt"])
          for r in dd["clients"]), "UTC timestamps")
for needle in ["é", "\\n", '\\"', "🎹"]:
    check(needle in text, f"dataset has {needle!r}")
check(any(e["client"] is None for e in dd["events"]), "events with null client")
check(any(e["user"] is None and e["type"] in ("PERSONAL", "MEMO")
          for e in dd["events"]), "personal/memo events with null user")
uid = {u["id"]: u for u in dd["users"]}
check(all(e["user"] is not None and e["user"]["id"] in uid and uid[e["user"]["id"]]["isSchedulable"]
          for e in dd["events"] if e["type"] == "APPOINTMENT"),
      "every appointment names an existing schedulable technician")
check(any(e["createdBy"] for e in dd["events"]) and any(e["createdBy"] is None for e in dd["events"]),
      "events booked by a user or online")
check(any(p["isTuning"] for e in dd["events"] for p in e["allEventPianos"]["nodes"]),
      "event pianos with isTuning")

# The by-id roots, under both argument names; unknown ids give null.
cid = dd["clients"][5]["id"]
for q in ('query($id: String!) { client(id: $id) { id } }',
          'query($id: String) { client(clientId: $id) { id } }'):
    s, d = gql(base, q, {"id": cid})
    check(d["data"]["client"] == {"id": cid}, f"client by id: {q}")
pid = dd["pianos"][3]["id"]
s, d = gql(base, 'query($id: String) { piano(pianoId: $id) { id } }', {"id": pid})
check(d["data"]["piano"] == {"id": pid}, "piano(pianoId)")
eid = dd["events"][9]["id"]
s, d = gql(base, 'query($id: String!) { event(eventId: $id) { id } }', {"id": eid})
check(d["data"]["event"] == {"id": eid}, "event(eventId)")
kid = dd["clients"][5]["contacts"]["nodes"][0]["id"] if dd["clients"][5]["contacts"]["nodes"] else None
if kid:
    s, d = gql(base, 'query($id: String!) { contact(id: $id) { id client { id } } }', {"id": kid})
    check(d["data"]["contact"] == {"id": kid, "client": {"id": cid}}, "contact(id)")
s, d = gql(base, '{ piano(id: "pia_0000000000000000") { id } user { accessLevel } }')
check(d["data"]["piano"] is None and d["data"]["user"] == {"accessLevel": "ADMIN"},
      "unknown piano id gives null; user is the account's admin")
s, d = gql(base, '{ a: allClients(first: 1) { nodes { id } } b: allClients(first: 2) { nodes { id } } }')
check(len(d["data"]["a"]["nodes"]) == 1 and len(d["data"]["b"]["nodes"]) == 2,
      "two root fields in one document")
s, d = gql(base, 'query A { allUsers { id } } query B { allPianos(first: 1) { nodes { id } } }', op="B")
check("allPianos" in (d.get("data") or {}), "operationName picks the operation")
finish()
PY
stop_sim SIM
echo "sigterm: exit 0"
