#!/usr/bin/env bash
# Churn is deterministic for a seed and keeps the invariants delta sync
# relies on: updatedAt follows the clock, contact edits bump the client,
# event changes bump the event, appointments name existing technicians,
# hires appear and get work, deletions vanish, summaries match the data.
source "$2/tools/gazelle-sim/tests/sim_env.sh"
SMALL="--clients 300 --pianos 400 --events 1500 --timeline 3000"
start_sim A --seed 42 $SMALL --hires-per-year 40
start_sim B --seed 42 $SMALL --hires-per-year 40
start_sim C --seed 43 $SMALL --hires-per-year 40
start_sim D --seed 42 $SMALL --hires-per-year 40 --client-deletes-per-year 300 --piano-deletes-per-year 300 --clients-per-day 20
python3 - "$A" "$B" "$C" "$D" <<'PY'
import sys
from simlib import *
a, b, c, dsim = sys.argv[1:5]

check(dump(a) == dump(b), "same seed, same initial data")
check(dump(a) != dump(c), "another seed, other data")
before = dump(a)
sa = advance(a, 30)
sb = advance(b, 30)
check(sa == sb, "same seed, same advance: same summary")
check(dump(a) == dump(b), "same seed, same advance: identical dumps")
after = dump(a)
check(sa["now"] == "2026-12-25T12:00:00Z", f"clock moved 30 days: {sa['now']}")
check(sa["clients"]["updated"] > 0 and sa["events"]["created"] > 0 and
      sa["timeline"]["created"] > 0 and sa["pianos"]["updated"] > 0,
      f"a month of churn changes things: {sa}")

old_now, new_now = "2026-11-25T12:00:00Z", sa["now"]
for kind in ("users", "clients", "pianos", "events", "timeline"):
    b_ids = {r["id"]: r for r in before[kind]}
    rows = after[kind]
    check(all(r["updatedAt"] <= new_now for r in rows), f"{kind}: updatedAt <= now")
    changed = [r for r in rows if r["id"] in b_ids and r != b_ids[r["id"]]]
    check(all(r["updatedAt"] > old_now for r in changed),
          f"{kind}: every changed row has a new updatedAt after the old clock")
    new = [r for r in rows if r["id"] not in b_ids]
    check(all(old_now < r["createdAt"] <= new_now for r in new), f"{kind}: new rows created in the window")
    check(len(new) == sa[kind]["created"] or kind in ("timeline",) and len(new) == sa[kind]["created"],
          f"{kind}: summary created {sa[kind]['created']} == {len(new)}")
    if kind in ("clients", "pianos"):
        upd = sum(1 for r in changed)
        check(upd <= sa[kind]["updated"], f"{kind}: changed rows {upd} <= summary updated")

# Contact edits always bump the client.
bc = {r["id"]: r for r in before["clients"]}
moved = [r for r in after["clients"] if r["id"] in bc and r["defaultContact"] != bc[r["id"]]["defaultContact"]]
check(len(moved) > 0, "some default contacts changed")
check(all(r["updatedAt"] != bc[r["id"]]["updatedAt"] for r in moved), "contact change bumps client updatedAt")


# Event changes bump the event; appointments name existing users.
be = {r["id"]: r for r in before["events"]}
touched = [e for e in after["events"] if e["id"] in be and
           (e["start"], e["status"]) != (be[e["id"]]["start"], be[e["id"]]["status"])]
check(any(e["status"] == "COMPLETED" for e in touched), "appointments get completed")
check(any(e["status"] == "CANCELLED" for e in touched), "appointments get cancelled")
check(any(e["start"] != be[e["id"]]["start"] for e in touched), "appointments get rescheduled")
check(all(e["updatedAt"] > old_now for e in touched), "event changes bump updatedAt")
users = {u["id"] for u in after["users"]}
check(all(e["user"] and e["user"]["id"] in users for e in after["events"]
          if e["type"] == "APPOINTMENT"), "appointments name existing technicians")
check(all(e["user"] is None or e["user"]["id"] in users for e in after["events"]),
      "no event names a missing user")

# Hires: new technicians, who then get some of the new bookings.
hires = [u for u in after["users"] if u["id"] not in {x["id"] for x in before["users"]}]
check(len(hires) >= 1, f"hires happened ({len(hires)})")
advance(a, 60)
final = dump(a)
hired = {u["id"] for u in final["users"] if u["id"] not in {x["id"] for x in before["users"]}}
check(any(e["user"] and e["user"]["id"] in hired for e in final["events"]),
      "new technicians are assigned events")

# Deletions: gone from the dump and the connections; nothing points at them.
d0 = dump(dsim)
s = advance(dsim, 60)
d1 = dump(dsim)
check(s["clients"]["deleted"] > 0 and s["pianos"]["deleted"] > 0, f"deletions happen: {s}")
gone = {r["id"] for r in d0["clients"]} - {r["id"] for r in d1["clients"]}
check(0 < len(gone) <= s["clients"]["deleted"], "deleted clients are absent from the dump")
for kind in ("clients", "pianos"):
    check(len(d1[kind]) == len(d0[kind]) + s[kind]["created"] - s[kind]["deleted"],
          f"{kind}: live rows = before + created - deleted")
pages, _ = page_all(dsim, "allClients")
listed = {r["id"] for p in pages for r in p}
check(not (gone & listed), "deleted clients are absent from allClients")
live_clients = {r["id"] for r in d1["clients"]}
live_pianos = {r["id"] for r in d1["pianos"]}
check(all(e["client"] is None or e["client"]["id"] in live_clients for e in d1["events"]),
      "no event names a deleted client")
check(all(t["piano"] is None or t["piano"]["id"] in live_pianos for t in d1["timeline"]),
      "no timeline entry names a deleted piano")
check(all(p["client"] is None or p["client"]["id"] in live_clients for p in d1["pianos"]),
      "no piano belongs to a deleted client")
gid = next(iter(gone)) if gone else "cli_x"
st, d = gql(dsim, 'query($id: String!) { client(id: $id) { id } }', {"id": gid})
check(d["data"]["client"] is None, "client(id) of a deleted client is null")

# A year of churn: a new default contact is a new contact id, never shared
# by two clients (a shared id would flip between clients on every sync).
advance(c, 365)
contact_ids = [r["defaultContact"]["id"] for r in dump(c)["clients"] if r.get("defaultContact")]
check(len(contact_ids) == len(set(contact_ids)),
      f"every default contact has an id of its own ({len(contact_ids) - len(set(contact_ids))} shared)")
finish()
PY
