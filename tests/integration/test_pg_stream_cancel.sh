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
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}" fixtures/pg_write_counter.sql
source "$2/tests/integration/lib.sh" "$1" "$2"
pg_target --seed 5 --scale 0.1 --hires-per-year 0

gs pull >/dev/null 2>&1 || fail "pull failed"
total=$(cache_rows)
n_tl=$(sqlite3 "$db" "select count(*) from timeline_entries")
[ "$n_tl" -gt 1000 ] || fail "only $n_tl timeline entries; the test needs several pages"

pg_lock gazelle_timeline_entries 60

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
pg_unlock
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
target_equals_cache
counted=$(target_rows)
[ "$counted" = "$total" ] || fail "$counted target rows counted, the cache has $total"
written_once
echo "ok: SIGINT in the stream: exit 130, $rows of $n_tl timeline rows committed with their checkpoint, the rest next push, each once"
