#!/usr/bin/env bash
# Churn is deterministic for a seed and keeps the invariants sync relies on:
# updatedAt follows the clock; any change to a client's contacts (an edit, a
# new contact, a new default, an archival) bumps the contact and the
# client; event changes bump the event and a cancelled event stays with
# status CANCELED; timeline corrections change an entry without any visible
# stamp; appointments name existing schedulable technicians; hires get
# work and a technician who leaves gets none; deletions vanish; summaries
# match the data.
source "$2/tools/gazelle-sim/tests/sim_env.sh"
SMALL="--clients 300 --pianos 400 --events 1500 --timeline 3000"
# A and B raise the correction rate: at the default most corrections of a
# month hit entries written in that same month, which no dump before shows.
start_sim A --seed 42 $SMALL --hires-per-year 40 --user-edits-per-year 150 --timeline-edits-per-day 5
start_sim B --seed 42 $SMALL --hires-per-year 40 --user-edits-per-year 150 --timeline-edits-per-day 5
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
      sa["timeline"]["created"] > 0 and sa["pianos"]["updated"] > 0 and
      sa["timeline"]["updated"] > 0, f"a month of churn changes things: {sa}")

old_now, new_now = "2026-11-25T12:00:00Z", sa["now"]
for kind in ("users", "clients", "pianos", "events", "timeline"):
    b_ids = {r["id"]: r for r in before[kind]}
    rows = after[kind]
    changed = [r for r in rows if r["id"] in b_ids and r != b_ids[r["id"]]]
    new = [r for r in rows if r["id"] not in b_ids]
    # A row created in the window may also be deleted in it.
    check(sa[kind]["created"] - sa[kind]["deleted"] <= len(new) <= sa[kind]["created"],
          f"{kind}: summary created {sa[kind]['created']} ~ {len(new)} new")
    if kind == "timeline":
        # No stamps to check: new entries happened in the window (a few
        # back-dated by up to 5 days), corrections changed the text only.
        check(all(r["occurredAt"] <= new_now for r in new), "timeline: occurredAt <= now")
        check(0 < len(changed) <= sa[kind]["updated"],
              f"timeline: {len(changed)} corrected entries <= summary {sa[kind]['updated']}")
        check(all(r["occurredAt"] == b_ids[r["id"]]["occurredAt"] for r in changed),
              "a correction keeps occurredAt")
        continue
    check(all(r["updatedAt"] <= new_now for r in rows), f"{kind}: updatedAt <= now")
    check(all(r["updatedAt"] > old_now for r in changed),
          f"{kind}: every changed row has a new updatedAt after the old clock")
    check(all(old_now < r["createdAt"] <= new_now for r in new), f"{kind}: new rows created in the window")
    if kind in ("clients", "pianos"):
        check(len(changed) <= sa[kind]["updated"], f"{kind}: changed rows <= summary updated")

# Contacts: every change to a client's contacts bumps the contact and the
# client; new people are new ids; nobody is dropped, the former stay
# (archived or not); one default, never archived.
bc = {r["id"]: r for r in before["clients"]}
ac = [r for r in after["clients"] if r["id"] in bc]
def contacts(r):
    return {k["id"]: k for k in r["contacts"]["nodes"]}
moved = [r for r in ac if r["contacts"] != bc[r["id"]]["contacts"]]
check(len(moved) > 10, f"contacts changed for {len(moved)} clients")
check(all(r["updatedAt"] > old_now for r in moved), "a contact change bumps the client")
for r in moved:
    old, new = contacts(bc[r["id"]]), contacts(r)
    check(set(old) <= set(new), f"{r['id']}: no contact disappears")
    touched = [k for i, k in new.items() if old.get(i) != k]
    check(touched and all(k["updatedAt"] > old_now for k in touched),
          f"{r['id']}: changed contacts have a new updatedAt")
    check(sum(k["isDefault"] for k in new.values()) <= 1 and
          not any(k["isDefault"] and k["archived"] for k in new.values()),
          f"{r['id']}: one default, not archived")
new_defaults = [r for r in moved if r["defaultContact"] and bc[r["id"]]["defaultContact"]
                and r["defaultContact"]["id"] != bc[r["id"]]["defaultContact"]["id"]]
check(new_defaults and all(r["defaultContact"]["id"] not in contacts(bc[r["id"]])
                           for r in new_defaults), "a new default contact is a new person")
archived = [k for r in moved for i, k in contacts(r).items()
            if k["archived"] and not contacts(bc[r["id"]]).get(i, {}).get("archived", False)]
check(archived, "contacts get archived")
added = [i for r in moved for i in set(contacts(r)) - set(contacts(bc[r["id"]]))]
check(len(added) > len(new_defaults) - 1, "contacts get added")

# Events: completed, cancelled (kept, status CANCELED), rescheduled; every
# change bumps updatedAt; nothing disappears.
be = {r["id"]: r for r in before["events"]}
ae = {r["id"]: r for r in after["events"]}
check(set(be) <= set(ae), "no event disappears (a cancelled one stays)")
touched = [e for e in after["events"] if e["id"] in be and
           (e["start"], e["status"]) != (be[e["id"]]["start"], be[e["id"]]["status"])]
check(any(e["status"] == "COMPLETE" for e in touched), "appointments get completed")
check(any(e["status"] == "CANCELED" and be[e["id"]]["status"] == "ACTIVE" for e in touched),
      "appointments get cancelled and stay")
check(any(e["start"] != be[e["id"]]["start"] for e in touched), "appointments get rescheduled")
check(all(e["updatedAt"] > old_now for e in touched), "event changes bump updatedAt")
users = {u["id"]: u for u in after["users"]}
check(all(e["user"] and e["user"]["id"] in users for e in after["events"]
          if e["type"] == "APPOINTMENT"), "appointments name existing technicians")
check(all(e["user"] is None or e["user"]["id"] in users for e in after["events"]),
      "no event names a missing user")

# Hires: new technicians, who then get some of the new bookings. A
# technician who left keeps the profile (INACTIVE, not schedulable) and is
# booked for nothing after leaving.
hires = [u for u in after["users"] if u["id"] not in {x["id"] for x in before["users"]}]
check(len(hires) >= 1, f"hires happened ({len(hires)})")
advance(a, 60)
final = dump(a)
hired = {u["id"] for u in final["users"] if u["id"] not in {x["id"] for x in before["users"]}}
check(any(e["user"] and e["user"]["id"] in hired for e in final["events"]),
      "new technicians are assigned events")
gone = {u["id"]: u for u in final["users"] if u["status"] == "INACTIVE"}
check(gone and all(not u["isSchedulable"] for u in gone.values()), f"technicians leave: {len(gone)}")
check(not [e for e in final["events"] if e["user"] and e["user"]["id"] in gone
           and e["type"] == "APPOINTMENT" and e["createdAt"] > gone[e["user"]["id"]]["updatedAt"]],
      "nobody books a technician who left")

# Deletions: gone from the dump and the connections; nothing points at them.
# Only rows nothing refers to are deleted, so mostly recent ones: the dump
# half-way shows the rows created and deleted within the 60 days.
d0 = dump(dsim)
s1 = advance(dsim, 30)
dmid = dump(dsim)
s2 = advance(dsim, 30)
d1 = dump(dsim)
s = {k: {m: s1[k][m] + s2[k][m] for m in s1[k]} for k in ("clients", "pianos")}
check(s["clients"]["deleted"] > 0 and s["pianos"]["deleted"] > 0, f"deletions happen: {s}")
seen = {r["id"] for r in d0["clients"] + dmid["clients"]}
gone = seen - {r["id"] for r in d1["clients"]}
check(0 < len(gone) <= s["clients"]["deleted"], f"deleted clients are absent from the dump ({len(gone)})")
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
check(all(t["client"]["id"] in live_clients for t in d1["timeline"]),
      "no timeline entry names a deleted client")
check(all(t["piano"] is None or t["piano"]["id"] in live_pianos for t in d1["timeline"]),
      "no timeline entry names a deleted piano")
check(all(p["client"] is None or p["client"]["id"] in live_clients for p in d1["pianos"]),
      "no piano belongs to a deleted client")
gid = next(iter(gone)) if gone else "cli_x"
st, d = gql(dsim, 'query($id: String!) { client(id: $id) { id } }', {"id": gid})
check(d["data"]["client"] is None, "client(id) of a deleted client is null")

# A year of churn: every contact id is its own (a shared id would flip
# between clients on every sync).
advance(c, 365)
contact_ids = [k["id"] for r in dump(c)["clients"] for k in r["contacts"]["nodes"]]
check(len(contact_ids) == len(set(contact_ids)),
      f"every contact has an id of its own ({len(contact_ids) - len(set(contact_ids))} shared)")
finish()
PY
