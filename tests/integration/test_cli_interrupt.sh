#!/usr/bin/env bash
# Interrupted runs (issue 11, defects 13 and 2):
#   1. kill -TERM mid-pull: the page in flight is stored with its
#      checkpoint, the run is recorded "interrupted", exit 143; kill -INT
#      the same with exit 130; the next run resumes and the cache equals
#      the dump.
#   2. kill -9 mid-pull: the row stays "running" until the next run, which
#      marks it "interrupted".
#   3. The state an overlapping run of gazsync 0.1.0 left (a full read's
#      checkpoint with its sweep scope closed, which failed "sweep without
#      gs_store_seen_reset()" on every run, --force included) repairs itself
#      on the next run: no failure, nothing wrongly deleted.
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset_pull_env

PAGE=100
start_sim --seed 43 --users 4 --clients 100 --pianos 100 --events 200 \
  --timeline 4000 --hires-per-year 0
# One page a request (pack = off): the timeline's pages, slowed one by one,
# make a read long enough to signal; test_pull_packed_resume.sh kills a
# packed pull.
cat >"$GS_TMP/gazsync.ini" <<INI
[gazsync]
page_size = $PAGE
pack = off
[entity.timeline_entries]
page_size = $PAGE
[entity.appointments]
policy = window=-60d..+200d
INI
db="$GS_TMP/cache.db"
now=$(sim_now)
gs() { "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$now" "$@"; }
q() { sqlite3 "$db" "$1"; }
timeline_rows() { q "select count(*) from timeline_entries" 2>/dev/null || echo 0; }
# gazsync itself in the background (signals must reach it, not a subshell).
start_pull() {
  local out=$1; shift
  pull_out=$out
  "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$now" pull "$@" >"$out" 2>&1 &
  pull_pid=$!
  GS_PIDS+=("$pull_pid")
}
# Waits until $1 more timeline rows than now are stored, then sends signal $2.
signal_after_rows() {
  local want=$(( $(timeline_rows) + $1 )) sig=$2
  for _ in $(seq 1 600); do
    kill -0 "$pull_pid" 2>/dev/null || fail "the pull ended before it could be signalled: $(cat "$pull_out")"
    if [ "$(timeline_rows)" -ge "$want" ]; then
      kill "-$sig" "$pull_pid"
      return
    fi
    sleep 0.05
  done
  fail "the timeline pull did not reach $want rows"
}
slow_timeline() {
  sim_post /__sim/faults '{"rules":[{"field":"allTimelineEntries","every":1,"action":"delay","delay_ms":150}]}' >/dev/null
}
last_run() { q "select status from sync_runs order by id desc limit 1"; }

# -- 1. SIGTERM, then SIGINT
slow_timeline
start_pull "$GS_TMP/term.out"
signal_after_rows $((PAGE * 5)) TERM
set +e; wait "$pull_pid"; code=$?; set -e
[ "$code" = 143 ] || fail "SIGTERM: exit $code, want 143: $(cat "$GS_TMP/term.out")"
[ "$(last_run)" = interrupted ] || fail "SIGTERM: the run is recorded '$(last_run)', want interrupted"
rows=$(timeline_rows)
[ $((rows % PAGE)) = 0 ] || fail "SIGTERM: $rows timeline rows, a page landed in part"
cursor=$(q "select coalesce(resume_cursor,'') from sync_state where entity='timeline_entries'")
case "$cursor" in full\|?*) ;; *) fail "SIGTERM: the checkpoint is '$cursor', want full|<cursor>";; esac
grep -q "interrupted" "$GS_TMP/term.out" || fail "SIGTERM: nothing says the pull was interrupted: $(cat "$GS_TMP/term.out")"
pass "SIGTERM after $rows rows: exit 143, run interrupted, checkpoint kept"

start_pull "$GS_TMP/int.out"
signal_after_rows $((PAGE * 3)) INT
set +e; wait "$pull_pid"; code=$?; set -e
[ "$code" = 130 ] || fail "SIGINT: exit $code, want 130: $(cat "$GS_TMP/int.out")"
[ "$(last_run)" = interrupted ] || fail "SIGINT: the run is recorded '$(last_run)', want interrupted"
pass "SIGINT: exit 130, run interrupted"

curl -fsS -X DELETE "$SIM_URL/__sim/faults" >/dev/null
gs pull >"$GS_TMP/after.out" 2>&1 || fail "the pull after the signals exited $?: $(cat "$GS_TMP/after.out")"
assert_cache_equals_dump "$db"
[ "$(last_run)" = ok ] || fail "the resumed run is '$(last_run)'"
pass "the next run resumed: cache equals dump"

# -- 2. kill -9 during a forced full read of the timeline
slow_timeline
sim_post /__sim/stats/reset >/dev/null
start_pull "$GS_TMP/kill.out" --force=timeline_entries
for _ in $(seq 1 600); do
  [ "$(sim_requests allTimelineEntries)" -ge 5 ] && break
  sleep 0.05
done
[ "$(sim_requests allTimelineEntries)" -ge 5 ] || fail "the forced timeline read never got going"
kill -0 "$pull_pid" 2>/dev/null || fail "the forced timeline read ended before the kill: $(cat "$GS_TMP/kill.out")"
kill -9 "$pull_pid"
wait "$pull_pid" 2>/dev/null || true
killed_id=$(q "select id from sync_runs order by id desc limit 1")
[ "$(last_run)" = running ] || fail "kill -9: the row is '$(last_run)' before the next run"
cursor=$(q "select coalesce(resume_cursor,'') from sync_state where entity='timeline_entries'")
case "$cursor" in full\|?*) ;; *) fail "kill -9: the checkpoint is '$cursor', want full|<cursor>";; esac

# -- 3. What an overlapping delta did to that full read in gazsync 0.1.0:
# it closed the sweep scope (gs_store_seen_stop) under it.
q "delete from sweep_scope; delete from sweep_seen"
curl -fsS -X DELETE "$SIM_URL/__sim/faults" >/dev/null
gs pull --force=timeline_entries >"$GS_TMP/repair.out" 2>&1 \
  || fail "the run after the kill and the closed scope exited $?: $(cat "$GS_TMP/repair.out")"
[ "$(q "select status from sync_runs where id = $killed_id")" = interrupted ] \
  || fail "kill -9: the next run left run $killed_id '$(q "select status from sync_runs where id = $killed_id")'"
[ "$(q "select status from sync_state where entity='timeline_entries'")" = ok ] \
  || fail "timeline state after the repair: $(q "select status||' '||coalesce(last_error,'') from sync_state where entity='timeline_entries'")"
[ "$(q "select count(*) from timeline_entries where deleted_at is not null")" = 0 ] \
  || fail "the repaired full read marked $(q "select count(*) from timeline_entries where deleted_at is not null") live entries deleted"
assert_cache_equals_dump "$db"
gs runs >"$GS_TMP/runs.out" || fail "runs failed"
grep -q "interrupted" "$GS_TMP/runs.out" || fail "'gazsync runs' does not show the interrupted runs"
pass "kill -9: the next run marked run $killed_id interrupted; a full read whose sweep scope was closed restarts and ends ok"
