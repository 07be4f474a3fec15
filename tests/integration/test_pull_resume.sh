#!/usr/bin/env bash
# kill -9 in the middle of an entity, then a new run: the page checkpoint
# (sync_state.resume_cursor, committed with each page) lets the second run
# resume where the first stopped. The cache ends equal to the dump with no
# duplicate and no loss, and the second run reads fewer timeline pages than
# a full read (counted by the simulator, not by gazsync).
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset_pull_env

TIMELINE=5000
PAGE=100
FULL_PAGES=$(( (TIMELINE + PAGE - 1) / PAGE ))
start_sim --seed 31 --users 5 --clients 150 --pianos 150 --events 300 \
  --timeline "$TIMELINE" --hires-per-year 0
# Pages of 100 everywhere (the timeline's default is larger): the page
# arithmetic below depends on it.
# One page a request (pack = off): the page arithmetic of one cursor;
# test_pull_packed_resume.sh kills a packed pull.
cat >"$GS_TMP/gazsync.ini" <<INI
[gazsync]
page_size = $PAGE
pack = off
[entity.timeline_entries]
page_size = $PAGE
[entity.clients]
page_size = $PAGE
[entity.appointments]
policy = window=-60d..+200d
INI
db="$GS_TMP/cache.db"
gs() { "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$(sim_now)" "$@"; }
q() { sqlite3 "$db" "$1"; }
timeline_rows() { q "select count(*) from timeline_entries" 2>/dev/null || echo 0; }

# Every timeline page takes 150 ms: the timeline pull lasts ~7 s, long
# enough to be caught between pages.
sim_post /__sim/faults '{"rules":[{"field":"allTimelineEntries","every":1,"action":"delay","delay_ms":150}]}' >/dev/null
# Some pages stored, and at least a fifth of the entity still to read.
kill_pull_when "$GS_TMP/pull1.out" $((PAGE * 5)) "select count(*) from timeline_entries"
rows_at_kill=$(timeline_rows)
[ "$rows_at_kill" -gt 0 ] && [ "$rows_at_kill" -lt "$TIMELINE" ] \
  || fail "killed with $rows_at_kill timeline rows; want some but not all of $TIMELINE"
# Pages land whole with their checkpoint: a multiple of the page size.
[ $((rows_at_kill % PAGE)) = 0 ] || fail "$rows_at_kill timeline rows after the kill: a page landed in part"
state=$(q "select status||'|'||coalesce(resume_cursor,'') from sync_state where entity='timeline_entries'")
case "$state" in
  running\|full\|?*) ;;
  *) fail "after the kill, sync_state of timeline_entries is '$state', want running with a full|<cursor> checkpoint" ;;
esac
[ -z "$(q "select coalesce(high_water,'') from sync_state where entity='timeline_entries'")" ] \
  || fail "the high-water mark advanced although the timeline pull was killed"
# The run the kill interrupted stays "running" in the log: not a success.
[ "$(q "select status from sync_runs order by id desc limit 1")" = running ] \
  || fail "the killed run is recorded as '$(q "select status from sync_runs order by id desc limit 1")'"
pass "kill -9 after $rows_at_kill of $TIMELINE timeline rows: whole pages, checkpoint '${state%%|*}|${state#*|}' kept"

# The second run, faults cleared, resumes from the checkpoint.
curl -fsS -X DELETE "$SIM_URL/__sim/faults" >/dev/null
sim_post /__sim/stats/reset >/dev/null
gs pull >"$GS_TMP/pull2.out" 2>&1 || fail "the run after the kill exited $?: $(cat "$GS_TMP/pull2.out")"
assert_cache_equals_dump "$db"
dups=$(q "select (select count(*) from timeline_entries) - (select count(distinct id) from timeline_entries)")
[ "$dups" = 0 ] || fail "$dups duplicate timeline rows"
[ "$(q "select count(*) from timeline_entries")" = "$TIMELINE" ] || fail "timeline rows: $(q "select count(*) from timeline_entries"), want $TIMELINE"
pages2=$(sim_requests allTimelineEntries)
# Resumed: only the pages after the checkpoint (plus, at most, one more for
# a page the kill caught in flight and the end of the connection).
max_pages=$(( FULL_PAGES - rows_at_kill / PAGE + 1 ))
[ "$pages2" -le "$max_pages" ] \
  || fail "the second run read $pages2 timeline pages; a resumed read needs at most $max_pages (a full read: $FULL_PAGES)"
[ "$pages2" -lt "$FULL_PAGES" ] || fail "the second run re-read the whole timeline ($pages2 pages)"
state=$(q "select status||'|'||coalesce(resume_cursor,'')||'|'||coalesce(high_water,'') from sync_state where entity='timeline_entries'")
case "$state" in
  ok\|\|20*) ;;
  *) fail "after the resumed run, timeline sync_state is '$state', want ok, no cursor, a high-water mark" ;;
esac
# The mark is the newest occurredAt in the whole dataset, although the run
# that found it read only part of it: the pending mark survived the kill.
newest=$(python3 -c 'import json,sys; print(max(t["occurredAt"] for t in json.load(open(sys.argv[1]))["timeline"]))' "$GS_TMP/dump.json")
[ "${state##*|}" = "$newest" ] || fail "timeline high-water ${state##*|}, want the newest occurredAt $newest"
pass "the next run resumed: $pages2 of $FULL_PAGES pages, cache equals dump, no duplicate, mark $newest"

# A kill in the middle of an entity with contacts (clients, first run:
# a full read that sweeps): resumed, no loss, no row wrongly marked deleted.
start_sim --seed 32 --users 5 --clients 3000 --pianos 100 --events 100 \
  --timeline 100 --hires-per-year 0
db="$GS_TMP/clients.db"
sim_post /__sim/faults '{"rules":[{"field":"allClients","every":1,"action":"delay","delay_ms":150}]}' >/dev/null
kill_pull_when "$GS_TMP/pull3.out" $((PAGE * 3)) "select count(*) from clients"
clients_at_kill=$(q "select count(*) from clients")
[ -n "$(q "select resume_cursor from sync_state where entity='clients'")" ] \
  || fail "no clients checkpoint after the kill"
curl -fsS -X DELETE "$SIM_URL/__sim/faults" >/dev/null
sim_post /__sim/stats/reset >/dev/null
gs pull >"$GS_TMP/pull4.out" 2>&1 || fail "the run after the clients kill exited $?: $(cat "$GS_TMP/pull4.out")"
assert_cache_equals_dump "$db"
[ "$(q "select count(*) from clients where deleted_at is not null")" = 0 ] \
  || fail "rows marked deleted after the resumed clients pull"
[ "$(q "select count(*) - count(distinct id) from contacts")" = 0 ] || fail "duplicate contacts"
pages4=$(sim_requests allClients)
[ "$pages4" -le $(( 30 - clients_at_kill / PAGE + 1 )) ] \
  || fail "the clients run after the kill read $pages4 pages (killed at $clients_at_kill rows of 3000)"
pass "kill -9 mid-clients at $clients_at_kill rows: resumed ($pages4 of 30 pages), contacts whole, nothing deleted"

# Issue 11, defect 4: a full read of an existing cache interrupted by a kill,
# then days of churn (edits, new clients, deletions) before the resume. The
# resumed read must not mark deleted any client that is live upstream; the
# next complete read then sweeps exactly the deleted ones.
start_sim --seed 33 --users 5 --clients 1200 --pianos 50 --events 50 \
  --timeline 50 --hires-per-year 0 --client-deletes-per-year 700 \
  --client-update-pct 5 --clients-per-day 4
db="$GS_TMP/churn.db"
gs pull >"$GS_TMP/pull5.out" 2>&1 || fail "first pull of the churn business failed: $(cat "$GS_TMP/pull5.out")"
sim_post /__sim/faults '{"rules":[{"field":"allClients","every":1,"action":"delay","delay_ms":150}]}' >/dev/null
kill_pull_when "$GS_TMP/pull6.out" 1 \
  "select count(*) from sync_state where entity='clients' and coalesce(resume_cursor,'') <> ''"
curl -fsS -X DELETE "$SIM_URL/__sim/faults" >/dev/null
sim_post "/__sim/advance?days=3" >"$GS_TMP/advance-churn.json"
deleted_upstream=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['clients']['deleted'])" "$GS_TMP/advance-churn.json")
[ "$deleted_upstream" -ge 1 ] || fail "the churn deleted no client; raise the rate"
gs pull >"$GS_TMP/pull7.out" 2>&1 || fail "the resumed run exited $?: $(cat "$GS_TMP/pull7.out")"
sim_get /__sim/dump >"$GS_TMP/dump-churn.json"
q "select id from clients where deleted_at is not null" >"$GS_TMP/deleted-ids"
falsely=$(python3 -c "
import json,sys
live = {c['id'] for c in json.load(open(sys.argv[1]))['clients']}
print(sum(1 for line in open(sys.argv[2]) if line.strip() in live))" "$GS_TMP/dump-churn.json" "$GS_TMP/deleted-ids")
[ "$falsely" = 0 ] || fail "$falsely live clients marked deleted by the resumed read"
gs pull >"$GS_TMP/pull8.out" 2>&1 || fail "the complete read after the resume exited $?"
assert_cache_equals_dump "$db"
# (a client created and deleted during the churn was never in the cache, so
# the sweep can find fewer than the simulator deleted; equality with the dump
# above is the exact check)
swept=$(q "select count(*) from clients where deleted_at is not null")
[ "$swept" -ge 1 ] || fail "the complete read swept nothing ($deleted_upstream deleted upstream)"
pass "kill mid-read, 3 days of churn, resume: no live client marked deleted; the next complete read swept $swept ($deleted_upstream deleted upstream)"
