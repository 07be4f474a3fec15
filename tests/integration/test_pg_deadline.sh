#!/usr/bin/env bash
# The run deadline (GAZSYNC_RUN_TIMEOUT_S) bounds the PostgreSQL target's
# statements: another session holds a lock on the timeline table, so the
# COPY waits; a second table has a trigger that sleeps on every row, so the
# server stops reading mid-COPY. Each time the push must return with the
# deadline's error (the statement cancelled, not waited out), commit
# nothing of the batch it cancelled, and leave the target's checkpoint and
# the cache's in step; the next push, unhindered, completes.
# Usage: test_pg_deadline.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
source "$2/tests/integration/lib.sh" "$1" "$2"
pg_target --seed 9 --scale 0.05 --hires-per-year 0

# Every entity: the target's checkpoint is the cache's, and the target holds
# exactly the rows the cache marks pushed.
in_step() {
  for e in $GS_ENTITIES; do
    t=$(psql_q "select coalesce(max(last_change_seq), 0) from gazsync_push_state where entity = '$e'")
    c=$(sqlite3 "$db" "select coalesce(max(last_pushed_seq), 0) from push_state where entity = '$e'")
    [ "$t" = "$c" ] || fail "$1: $e: target checkpoint $t, cache $c"
    rows=$(psql_q "select count(*) from gazelle_$e")
    pushed=$(sqlite3 "$db" "select count(*) from $e where change_seq <= $c")
    [ "$rows" = "$pushed" ] || fail "$1: $e: $rows target rows, $pushed marked pushed"
  done
}

# A push that must stop at a 4 s deadline; bounded by timeout(1) so that a
# push that waits on the lock forever fails the test instead of hanging it.
push_at_deadline() {
  rc=0
  GAZSYNC_RUN_TIMEOUT_S=4 timeout 120 "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" \
    --now "$now" push >"$GS_TMP/$1.out" 2>&1 || rc=$?
  [ "$rc" != 124 ] || fail "$1: the push did not return (it outlived its deadline by minutes)"
  [ "$rc" != 0 ] || fail "$1: the push succeeded; the test wants it stopped at the deadline"
  grep -q "run deadline" "$GS_TMP/$1.out" || fail "$1: no word of the run deadline: $(cat "$GS_TMP/$1.out")"
  return 0
}

gs pull >/dev/null 2>&1 || fail "pull failed"
[ "$(sqlite3 "$db" "select count(*) from timeline_entries")" -gt 0 ] || fail "no timeline entries pulled"

# 1. A lock: the COPY into the timeline table waits for it.
pg_lock gazelle_timeline_entries 90
push_at_deadline lock
grep -q "timeline_entries" "$GS_TMP/lock.out" || fail "lock: the timeline entries are not named: $(cat "$GS_TMP/lock.out")"
waiting=$(psql_q "select count(*) from pg_stat_activity where application_name = 'gazsync'")
[ "$waiting" = 0 ] || fail "lock: $waiting gazsync session(s) still at the server after the push returned"
pg_unlock
in_step "after the lock"
[ "$(psql_q "select count(*) from gazelle_timeline_entries")" = 0 ] || fail "lock: timeline rows committed"

# 2. A slow trigger: the server stops reading in the middle of a COPY.
psql_q "create function gs_test_slow() returns trigger language plpgsql as \$\$ begin perform pg_sleep(0.5); return new; end \$\$" >/dev/null
psql_q "create trigger gs_test_slow before insert on gazelle_timeline_entries for each row execute function gs_test_slow()" >/dev/null
push_at_deadline trigger
in_step "after the slow trigger"
psql_q "drop trigger gs_test_slow on gazelle_timeline_entries" >/dev/null

# 3. Unhindered, the next push completes: nothing lost.
gs push >"$GS_TMP/last.out" 2>&1 || fail "the push after the deadlines failed: $(cat "$GS_TMP/last.out")"
in_step "at the end"
target_equals_cache
echo "ok: stopped at the deadline behind a lock and a slow trigger, then completed"
