#!/usr/bin/env bash
# The real filters select exactly the rows the dump says they should,
# whatever the sort (modelled or not) and page size, and totalCount counts
# them: events (startOn/endOn/dateGet/dateLet, clientId/pianoId/userId
# lists, type, status), clients and pianos (createdGet/createdLet, status,
# pianos' clientId and type), timeline (occurredAtGet, clientId, pianoId,
# types).
source "$2/tools/gazelle-sim/tests/sim_env.sh"
start_sim SIM --seed 5 --clients 200 --pianos 300 --events 3000 --timeline 4000
start_sim HIDE --seed 5 --clients 200 --pianos 300 --events 3000 --timeline 4000 \
    --hide-unfiltered INACTIVE,CANCELED,NO_SHOW
python3 - "$SIM" "$HIDE" <<'PY'
import sys
from collections import Counter
from simlib import *
base, hide = sys.argv[1:3]
truth = dump(base)
events, timeline = truth["events"], truth["timeline"]
cid = lambda r: r["client"] and r["client"]["id"]
by_client = Counter(cid(e) for e in events if cid(e))
busy, second = [c for c, _ in by_client.most_common(2)]
pianos_of = lambda e: {p["piano"]["id"] for p in e["allEventPianos"]["nodes"]}
piano = Counter(p for e in events for p in pianos_of(e)).most_common(1)[0][0]
tech = Counter(e["user"]["id"] for e in events if e["user"]).most_common(1)[0][0]
day = lambda e: e["start"][:10]

def total(root, args):
    s, d = gql(base, f"{{ {root}({args}) {{ totalCount }} }}")
    return d["data"][root]["totalCount"] if d.get("data") else -1

def same_rows(root, args, want, sorts, first, what):
    for sort in sorts:
        full = f"{args}, sortBy: [{sort}]" if sort else args
        pages, _ = page_all(base, root, full, fields="id", first=first)
        got = [n["id"] for p in pages for n in p]
        check(len(got) == len(set(got)) and set(got) == want,
              f"{what} {sort}: got {len(got)} want {len(want)}")
    check(total(root, args) == len(want), f"{what}: totalCount {total(root, args)} == {len(want)}")

cases = [
    ('{startOn: "2026-11-01", endOn: "2026-11-30"}',
     lambda e: "2026-11-01" <= day(e) <= "2026-11-30"),
    ('{dateGet: "2026-11-18"}', lambda e: day(e) >= "2026-11-18"),
    ('{dateLet: "2025-03-01"}', lambda e: day(e) <= "2025-03-01"),
    ('{dateGet: "2026-01-01", dateLet: "2026-01-31", type: [PERSONAL, MEMO]}',
     lambda e: "2026-01-01" <= day(e) <= "2026-01-31" and e["type"] in ("PERSONAL", "MEMO")),
    ('{type: APPOINTMENT}', lambda e: e["type"] == "APPOINTMENT"),
    (f'{{clientId: "{busy}"}}', lambda e: cid(e) == busy),
    (f'{{clientId: ["{busy}", "{second}"], startOn: "2026-06-01"}}',
     lambda e: cid(e) in (busy, second) and day(e) >= "2026-06-01"),
    (f'{{pianoId: ["{piano}"]}}', lambda e: piano in pianos_of(e)),
    (f'{{userId: ["{tech}"], status: [CANCELED]}}',
     lambda e: e["user"] and e["user"]["id"] == tech and e["status"] == "CANCELED"),
    ('{status: [COMPLETE, NO_SHOW]}', lambda e: e["status"] in ("COMPLETE", "NO_SHOW")),
    ('{status: []}', lambda e: True),
    ('{clientId: ["cli_nope"]}', lambda e: False),
    ('{startOn: "2031-01-01"}', lambda e: False),
]
for filt, pred in cases:
    want = {e["id"] for e in events if pred(e)}
    same_rows("allEventsBatched", f"filters: {filt}", want,
              ["START_ASC", "START_DESC", "EVENT_NEAR_TODAY_DESC"], 60, f"events {filt}")
check(len({e["id"] for e in events if "2026-11-01" <= day(e) <= "2026-11-30"}) > 10,
      "the window case is not empty")
check(any(e["status"] == "NO_SHOW" for e in events), "some no-shows")

# An unmodelled sort pages in the modelled order with its own direction.
for sort, key, desc in [("USER_LAST_NAME_DESC", "start", True), ("EVENT_NEAR_TODAY_ASC", "start", False)]:
    pages, _ = page_all(base, "allEventsBatched", f"sortBy: [{sort}]", fields="id start", first=500)
    flat = [n[key] for p in pages for n in p]
    check(len(flat) == len(events) and flat == sorted(flat, reverse=desc), f"{sort}: a stable start order")

clients, pianos = truth["clients"], truth["pianos"]
cday = lambda r: r["createdAt"][:10]
mid = sorted(cday(r) for r in clients)[len(clients) // 2]
for filt, pred in [
    (f'{{createdGet: "{mid}"}}', lambda r: cday(r) >= mid),
    (f'{{createdLet: "{mid}"}}', lambda r: cday(r) <= mid),
    (f'{{createdGet: "{mid}", createdLet: "{mid}"}}', lambda r: cday(r) == mid),
    ('{status: [PROSPECT, NEW]}', lambda r: r["status"] in ("PROSPECT", "NEW")),
    (f'{{status: [ACTIVE], createdLet: "{mid}"}}', lambda r: r["status"] == "ACTIVE" and cday(r) <= mid),
    ('{createdGet: "2026-01-01", createdLet: "2025-01-01"}', lambda r: False),
]:
    same_rows("allClients", f"filters: {filt}", {r["id"] for r in clients if pred(r)},
              ["CREATED_AT_ASC", "CREATED_AT_DESC", "CLIENT_NAME_ASC", None], 70, f"clients {filt}")
owner = Counter(cid(p) for p in pianos if cid(p)).most_common(1)[0][0]
pmid = sorted(cday(r) for r in pianos)[len(pianos) // 3]
for filt, pred in [
    (f'{{clientId: "{owner}"}}', lambda r: cid(r) == owner),
    (f'{{createdGet: "{pmid}"}}', lambda r: cday(r) >= pmid),
    ('{status: [INACTIVE, UNDER_RESTORATION, TEMPORARY_STORAGE]}', lambda r: r["status"] != "ACTIVE"),
    ('{type: [GRAND], status: [ACTIVE]}', lambda r: r["type"] == "GRAND" and r["status"] == "ACTIVE"),
]:
    same_rows("allPianos", f"filters: {filt}", {r["id"] for r in pianos if pred(r)},
              ["CREATED_AT_ASC", "CREATED_AT_DESC", "MAKE_ASC"], 80, f"pianos {filt}")

s, d = gql(base, '{ allEventsBatched(filters: {startOn: "2026-13-01"}) { nodes { id } } }')
check(d.get("data") is None and "CoreDate" in d["errors"][0]["message"], f"an impossible date is an error: {d}")
s, d = gql(base, '{ allEventsBatched(filters: {colour: "red"}) { nodes { id } } }')
check("errors" in d and "colour" in d["errors"][0]["message"], "unknown filter key")
s, d = gql(base, '{ allTimelineEntries(occurredAtGet: "yesterday") { nodes { id } } }')
check(d.get("data") is None and "CoreDateTime" in d["errors"][0]["message"], "an impossible time is an error")

tclient = Counter(cid(t) for t in timeline).most_common(1)[0][0]
tpiano = Counter(t["piano"]["id"] for t in timeline if t["piano"]).most_common(1)[0][0]
for args, pred in [
    ('occurredAtGet: "2026-09-01T00:00:00Z"', lambda t: t["occurredAt"] >= "2026-09-01T00:00:00Z"),
    ('occurredAtGet: "2026-11-20T13:30:00Z"', lambda t: t["occurredAt"] >= "2026-11-20T13:30:00Z"),
    ('occurredAtGet: "2026-11-20"', lambda t: t["occurredAt"] >= "2026-11-20T00:00:00Z"),
    (f'clientId: "{tclient}"', lambda t: cid(t) == tclient),
    (f'clientId: "{tclient}", occurredAtGet: "2020-01-01T00:00:00Z"',
     lambda t: cid(t) == tclient and t["occurredAt"] >= "2020-01-01T00:00:00Z"),
    (f'pianoId: "{tpiano}"', lambda t: t["piano"] and t["piano"]["id"] == tpiano),
    ('types: [INVOICE, ESTIMATE]', lambda t: t["type"] in ("INVOICE", "ESTIMATE")),
    ('clientId: "cli_nope"', lambda t: False),
]:
    same_rows("allTimelineEntries", args, {t["id"] for t in timeline if pred(t)}, [None], 100,
              f"timeline {args}")

# --hide-unfiltered: the other reading of unfiltered lists. The named
# statuses leave every list that has no status filter and come back with
# one; by-id lookups and the dump still see them.
htruth = dump(hide)
check(htruth == truth, "the flag changes answers, not the data")
HIDDEN = {"INACTIVE", "CANCELED", "NO_SHOW"}
for root, rows in (("allClients", clients), ("allPianos", pianos), ("allEventsBatched", events)):
    pages, _ = page_all(hide, root, "", fields="id status", first=200)
    got = {r["id"] for p in pages for r in p}
    check(got == {r["id"] for r in rows if r["status"] not in HIDDEN} and
          len(got) < len(rows), f"{root}: unfiltered leaves out {HIDDEN}")
    s, d = gql(hide, f"{{ {root} {{ totalCount }} }}")
    check(d["data"][root]["totalCount"] == len(got), f"{root}: totalCount agrees")
    wanted = sorted({r["status"] for r in rows} & HIDDEN)
    pages, _ = page_all(hide, root, f"filters: {{status: [{', '.join(wanted)}]}}",
                        fields="id", first=200)
    check({r["id"] for p in pages for r in p} == {r["id"] for r in rows if r["status"] in HIDDEN},
          f"{root}: a status filter brings them back")
gone = next(c for c in clients if c["status"] == "INACTIVE")
s, d = gql(hide, 'query($id: String) { client(id: $id) { id status } }', {"id": gone["id"]})
check(d["data"]["client"] == {"id": gone["id"], "status": "INACTIVE"}, "client(id) still finds it")
s, d = gql(base, "{ allClients { totalCount } }")
check(d["data"]["allClients"]["totalCount"] == len(clients), "by default every status comes back")
finish()
PY
