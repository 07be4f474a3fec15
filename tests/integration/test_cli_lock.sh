#!/usr/bin/env bash
# One run per cache (issue 11, defects 2 and 3). Two `gazsync sync` on one
# cache overlapping, the simulator slowed by a delay rule so the first is
# caught mid-pull:
#   - the second exits at once with exit code 8 and a message naming the
#     cache, records no run and sends nothing;
#   - the first ends well; every row reached Supabase once (rows_written
#     counted by the double), nothing was marked deleted;
#   - a third started with --wait=120 while the first still runs waits for
#     it, then runs (its run starts after the first one finished).
# Usage: test_cli_lock.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
source "$2/tests/integration/lib.sh" "$1" "$2"
unset GAZSYNC_PAGE_SIZE GAZSYNC_MAX_ATTEMPTS GAZELLE_ACCESS_TOKEN \
  GAZELLE_REFRESH_TOKEN GAZELLE_API_KEY
start_sim --seed 41 --users 4 --clients 120 --pianos 150 --events 600 \
  --timeline 3000 --hires-per-year 0
db="$GS_TMP/cache.db"
cat >"$GS_TMP/gazsync.ini" <<INI
[gazsync]
page_size = 50
[entity.timeline_entries]
page_size = 50
[entity.appointments]
policy = window=-60d..+200d
page_size = 50
INI
now=$(sim_now)
gs() { "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$now" "$@"; }
# Starts gazsync itself in the background (not a subshell: the lock holder's
# pid is checked); sets bg_pid.
gs_bg() {
  local out=$1; shift
  "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$now" "$@" >"$out" 2>&1 &
  bg_pid=$!
  GS_PIDS+=("$bg_pid")
}
q() { sqlite3 "$db" "$1"; }
double() { curl -fsS -X "$1" "$SUPABASE_URL/__double/$2"; }
written() { double GET stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["rows_written"])'; }

# Every Gazelle request takes 100 ms: the first sync lasts several seconds.
sim_post /__sim/faults '{"rules":[{"field":"*","every":1,"action":"delay","delay_ms":100}]}' >/dev/null
gs_bg "$GS_TMP/first.out" sync
first=$bg_pid
# Wait until the first run has begun pulling (its run row exists and the
# simulator has answered a page), so the second one truly overlaps it.
for _ in $(seq 1 200); do
  [ "$(q "select count(*) from sync_runs" 2>/dev/null || echo 0)" -ge 1 ] \
    && [ "$(sim_get /__sim/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["pages"])')" -ge 2 ] && break
  kill -0 "$first" 2>/dev/null || fail "the first sync ended before it could be overlapped: $(cat "$GS_TMP/first.out")"
  sleep 0.05
done

set +e
gs sync >"$GS_TMP/second.out" 2>"$GS_TMP/second.err"
code=$?
set -e
[ "$code" = 8 ] || fail "the overlapping sync exited $code, want 8: $(cat "$GS_TMP/second.err")"
kill -0 "$first" 2>/dev/null || fail "the first sync ended before the second was refused; the test needs a slower first run"
grep -q "$db is in use by another gazsync run" "$GS_TMP/second.err" \
  || fail "the refusal does not name the cache: $(cat "$GS_TMP/second.err")"
grep -q "pid $first" "$GS_TMP/second.err" || fail "the refusal does not name the holder (pid $first): $(cat "$GS_TMP/second.err")"
pass "overlapping sync refused at once, exit 8: $(head -1 "$GS_TMP/second.err")"

# A third run that waits, started while the first still runs.
kill -0 "$first" 2>/dev/null || fail "the first sync ended before the waiting one started"
gs_bg "$GS_TMP/third.out" --wait=120 sync
third=$bg_pid

wait "$first" || fail "the first sync exited $?: $(cat "$GS_TMP/first.out")"
wait "$third" || fail "the sync with --wait exited $?: $(cat "$GS_TMP/third.out")"
[ "$(q "select count(*) from sync_runs")" = 2 ] \
  || fail "sync_runs holds $(q "select count(*) from sync_runs") runs, want 2 (the refused one records none)"
[ "$(q "select group_concat(status, ',') from (select status from sync_runs order by id)")" = "ok,ok" ] \
  || fail "run statuses: $(q "select group_concat(status) from sync_runs")"
# It found the lock taken (it says so before waiting), then ran: the lock
# was released by the first run's end.
grep -q "is in use by another run; waiting up to 120 s" "$GS_TMP/third.out" \
  || fail "the --wait run did not meet the lock: $(cat "$GS_TMP/third.out")"
pass "--wait=120: met the lock, waited, ran once the first sync ended"

# Nothing twice: every cache row was written to Supabase exactly once (the
# run rows of gazsync_runs aside), and nothing was marked deleted.
rows=0
for e in users clients contacts pianos appointments timeline_entries; do
  rows=$((rows + $(q "select count(*) from $e")))
done
runs_written=$(double GET stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["by_table"].get("gazsync_runs",0))')
total=$(written)
[ $((total - runs_written)) = "$rows" ] \
  || fail "Supabase got $((total - runs_written)) entity rows written for $rows cache rows"
[ "$(q "select (select count(*) from clients where deleted_at is not null) + (select count(*) from appointments where deleted_at is not null) + (select count(*) from timeline_entries where deleted_at is not null)")" = 0 ] \
  || fail "rows were marked deleted although nothing was deleted upstream"
"$PG_BIN/psql" -XAtq -d "$PG_URL" -c "select count(*) from gazelle_appointments where deleted_at is not null" >"$GS_TMP/del.out"
[ "$(cat "$GS_TMP/del.out")" = 0 ] || fail "$(cat "$GS_TMP/del.out") appointments soft-deleted in Supabase"
curl -fsS -X DELETE "$SIM_URL/__sim/faults" >/dev/null
assert_cache_equals_dump "$db"
python3 "$GS_SRC/tests/integration/compare_target.py" "$db" --full >"$GS_TMP/cmp.out" \
  || fail "target differs from the cache: $(tail -5 "$GS_TMP/cmp.out")"
pass "each of $rows rows written once, none deleted; dump = cache = target"

# Read-only commands take no lock: status and runs work while a run holds it.
sim_post /__sim/faults '{"rules":[{"field":"*","every":1,"action":"delay","delay_ms":3000}]}' >/dev/null
gs_bg "$GS_TMP/holder.out" pull --force=users
holder=$bg_pid
for _ in $(seq 1 100); do
  [ "$(q "select count(*) from sync_runs")" -ge 3 ] && break
  sleep 0.05
done
kill -0 "$holder" 2>/dev/null || fail "the lock holder ended too early: $(cat "$GS_TMP/holder.out")"
gs status >/dev/null || fail "status failed while a pull held the run lock"
gs runs >/dev/null || fail "runs failed while a pull held the run lock"
wait "$holder" || fail "the forced users pull failed"
pass "status and runs work while a run holds the lock"

# A sync killed outright (kill -9: no chance to record anything) stays
# "running" until the next run, which marks it "interrupted"; its push then
# sends it so to gazsync_runs (issue 11, defect 13).
sim_post /__sim/faults '{"rules":[{"field":"*","every":1,"action":"delay","delay_ms":200}]}' >/dev/null
gs_bg "$GS_TMP/killed.out" sync --force=timeline_entries
killed=$bg_pid
for _ in $(seq 1 200); do
  [ "$(q "select count(*) from sync_runs")" -ge 4 ] && break
  sleep 0.05
done
sleep 0.5
kill -0 "$killed" 2>/dev/null || fail "the sync to kill ended too early: $(cat "$GS_TMP/killed.out")"
kill -9 "$killed"
wait "$killed" 2>/dev/null || true
killed_id=$(q "select max(id) from sync_runs")
[ "$(q "select status from sync_runs where id = $killed_id")" = running ] || fail "the killed run is not left running"
curl -fsS -X DELETE "$SIM_URL/__sim/faults" >/dev/null
# Something to push, so that the push (and its run log) goes out.
sim_post "/__sim/advance?days=1" >/dev/null
"$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$(sim_now)" sync >"$GS_TMP/after-kill.out" 2>&1 \
  || fail "the sync after kill -9 exited $?: $(cat "$GS_TMP/after-kill.out")"
[ "$(q "select status from sync_runs where id = $killed_id")" = interrupted ] \
  || fail "the next run left the killed run '$(q "select status from sync_runs where id = $killed_id")'"
remote=$("$PG_BIN/psql" -XAtq -d "$PG_URL" -c "select status from gazsync_runs where run_id like '%:$killed_id'")
[ "$remote" = interrupted ] || fail "gazsync_runs has the killed run as '$remote', want interrupted"
pass "kill -9: the next sync marked run $killed_id interrupted, in sync_runs and gazsync_runs"
