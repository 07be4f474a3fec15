#!/usr/bin/env bash
# Event filters and timeline arguments select exactly the rows the dump says
# they should, whatever the sort and page size.
source "$2/tools/gazelle-sim/tests/sim_env.sh"
start_sim SIM --seed 5 --clients 200 --pianos 300 --events 3000 --timeline 4000
python3 - "$SIM" <<'PY'
import sys
from simlib import *
base = sys.argv[1]
truth = dump(base)
events, timeline = truth["events"], truth["timeline"]
busy = max({e["client"]["id"] for e in events if e["client"]},
           key=lambda c: sum(1 for e in events if e["client"] and e["client"]["id"] == c))
day = lambda e: e["start"][:10]

cases = [
    ('{startOn: "2026-11-01", endOn: "2026-11-30"}',
     lambda e: "2026-11-01" <= day(e) <= "2026-11-30"),
    ('{dateGet: "2026-11-18"}', lambda e: day(e) >= "2026-11-18"),
    ('{dateLet: "2025-03-01"}', lambda e: day(e) <= "2025-03-01"),
    ('{dateGet: "2026-01-01", dateLet: "2026-01-31", type: [PERSONAL, MEMO]}',
     lambda e: "2026-01-01" <= day(e) <= "2026-01-31" and e["type"] in ("PERSONAL", "MEMO")),
    ('{type: APPOINTMENT}', lambda e: e["type"] == "APPOINTMENT"),
    (f'{{clientId: "{busy}"}}', lambda e: e["client"] and e["client"]["id"] == busy),
    (f'{{clientId: "{busy}", startOn: "2026-06-01"}}',
     lambda e: e["client"] and e["client"]["id"] == busy and day(e) >= "2026-06-01"),
    ('{startOn: "2031-01-01"}', lambda e: False),
]
for filt, pred in cases:
    want = {e["id"] for e in events if pred(e)}
    for sort in ("START_ASC", "START_DESC", "UPDATED_AT_DESC"):
        pages, _ = page_all(base, "allEventsBatched",
                            f"filters: {filt}, sortBy: [{sort}]", first=60)
        got = [n["id"] for p in pages for n in p]
        check(len(got) == len(set(got)) and set(got) == want,
              f"events {filt} {sort}: got {len(got)} want {len(want)}")
check(len({e["id"] for e in events if "2026-11-01" <= day(e) <= "2026-11-30"}) > 10,
      "the window case is not empty")

s, d = gql(base, '{ allEventsBatched(filters: {startOn: "2026-13-01"}) { nodes { id } } }')
check("errors" in d, "an impossible date is an error")
s, d = gql(base, '{ allEventsBatched(filters: {colour: "red"}) { nodes { id } } }')
check("errors" in d and "colour" in d["errors"][0]["message"], "unknown filter key")

tclient = timeline[0]["client"]["id"] if timeline[0]["client"] else busy
for args, pred in [
    ('occurredAtGet: "2026-09-01T00:00:00Z"', lambda t: t["occurredAt"] >= "2026-09-01T00:00:00Z"),
    ('occurredAtGet: "2026-11-20T13:30:00Z"', lambda t: t["occurredAt"] >= "2026-11-20T13:30:00Z"),
    (f'clientId: "{tclient}"', lambda t: t["client"] and t["client"]["id"] == tclient),
    (f'clientId: "{tclient}", occurredAtGet: "2020-01-01T00:00:00Z"',
     lambda t: t["client"] and t["client"]["id"] == tclient and t["occurredAt"] >= "2020-01-01T00:00:00Z"),
    ('clientId: "cli_nope"', lambda t: False),
]:
    want = {t["id"] for t in timeline if pred(t)}
    pages, _ = page_all(base, "allTimelineEntries", args, first=100)
    got = [n["id"] for p in pages for n in p]
    check(len(got) == len(set(got)) and set(got) == want,
          f"timeline {args}: got {len(got)} want {len(want)}")
finish()
PY
