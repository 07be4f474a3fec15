#!/usr/bin/env bash
# SIGINT in the middle of a streamed first push (engine/push/push_pg_stream.c):
# the timeline entries' table is locked by another session, so their COPY
# cannot start (the server answers it only once the lock is granted);
# gazsync gets SIGINT, then the lock goes. The stream must stop at the next
# page, commit what it streamed with its checkpoint, and exit 130: rows in
# the target = rows the cache marks pushed (some, not all), and the next
# push sends the rest, every row offered and written once
# (fixtures/pg_write_counter.sql).
# Usage: test_pg_stream_cancel.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
if [ -z "${3:-}" ]; then
  GS_BUILD_DIR=$BUILD GS_HARNESS_SQL=$SRC/tests/integration/fixtures/pg_write_counter.sql \
    bash "$SRC/tools/harness/pg-harness.sh" run -- bash "$0" "$BUILD" "$SRC" --inner
  exit $?
fi
source "$SRC/tests/integration/lib.sh" "$BUILD" "$SRC"
unset GAZSYNC_PAGE_SIZE GAZSYNC_MAX_ATTEMPTS DATABASE_URL SUPABASE_URL SUPABASE_SERVICE_ROLE_KEY
export GAZSYNC_PG_URL=$PG_URL
start_sim --seed 5 --scale 0.1 --hires-per-year 0
db="$GS_TMP/cache.db"
printf '[push]\ntarget = postgres\n' >"$GS_TMP/gazsync.ini"
now=$(sim_now)
gs() { "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$now" "$@"; }
psql_q() { "$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 -d "$PG_URL" -c "$1"; }
entities="users clients contacts pianos appointments timeline_entries"

gs pull >/dev/null 2>&1 || fail "pull failed"
total=0
for e in $entities; do
  total=$((total + $(sqlite3 "$db" "select count(*) from $e")))
done
n_tl=$(sqlite3 "$db" "select count(*) from timeline_entries")
[ "$n_tl" -gt 1000 ] || fail "only $n_tl timeline entries; the test needs several pages"

"$PG_BIN/psql" -XAtq -d "$PG_URL" -c "begin; lock table gazelle_timeline_entries in access exclusive mode; select pg_sleep(60); commit" \
  >/dev/null 2>&1 &
locker=$!
GS_PIDS+=("$locker")
for _ in $(seq 1 100); do
  held=$(psql_q "select count(*) from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'gazelle_timeline_entries' and l.mode = 'AccessExclusiveLock' and l.granted")
  [ "$held" = 1 ] && break
  sleep 0.1
done
[ "$held" = 1 ] || fail "the lock was not taken"

# gazsync itself in the background (not the gs function's subshell), so
# the signal reaches it.
"$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$now" push >"$GS_TMP/push1.out" 2>&1 &
push_pid=$!
GS_PIDS+=("$push_pid")
waiting=0
for _ in $(seq 1 300); do
  waiting=$(psql_q "select count(*) from pg_stat_activity where application_name = 'gazsync' and wait_event_type = 'Lock' and query like 'BEGIN%COPY \"gazelle_timeline_entries\"%'")
  [ "$waiting" = 1 ] && break
  sleep 0.1
done
[ "$waiting" = 1 ] || fail "the timeline entries' COPY never waited on the lock: $(cat "$GS_TMP/push1.out")"
kill -INT "$push_pid"
psql_q "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(60)%' and pid <> pg_backend_pid()" >/dev/null
set +e; wait "$push_pid"; code=$?; set -e
[ "$code" = 130 ] || fail "SIGINT: exit $code, want 130: $(cat "$GS_TMP/push1.out")"
rows=$(psql_q "select count(*) from gazelle_timeline_entries")
marked=$(sqlite3 "$db" "select count(*) from timeline_entries where change_seq <= (select coalesce(max(last_pushed_seq), 0) from push_state where entity = 'timeline_entries')")
[ "$rows" -gt 0 ] || fail "SIGINT: nothing of the stream committed"
[ "$rows" -lt "$n_tl" ] || fail "SIGINT: all $rows rows went; the stream did not stop"
[ "$rows" = "$marked" ] || fail "SIGINT: $rows timeline rows in the target, $marked marked pushed in the cache"
t=$(psql_q "select last_change_seq from gazsync_push_state where entity = 'timeline_entries'")
c=$(sqlite3 "$db" "select max(last_pushed_seq) from push_state where entity = 'timeline_entries'")
[ "$t" = "$c" ] || fail "SIGINT: target checkpoint $t, cache $c"

gs push >"$GS_TMP/push2.out" 2>&1 || fail "the push after SIGINT failed: $(cat "$GS_TMP/push2.out")"
python3 "$GS_SRC/tests/integration/compare_target.py" "$db" --full >"$GS_TMP/cmp.out" \
  || fail "target differs from the cache: $(grep DIFF "$GS_TMP/cmp.out" | head -5)"
counted=$(psql_q "select count(*) from gs_test_writes where tbl like 'gazelle_%'")
[ "$counted" = "$total" ] || fail "$counted target rows counted, the cache has $total"
twice=$(psql_q "select count(*) from gs_test_writes where tbl like 'gazelle_%' and (offered <> 1 or written <> 1)")
[ "$twice" = 0 ] || fail "$twice rows offered or written other than once"
echo "ok: SIGINT in the stream: exit 130, $rows of $n_tl timeline rows committed with their checkpoint, the rest next push, each once"
