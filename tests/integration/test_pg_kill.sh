#!/usr/bin/env bash
# Exactly-once over the PostgreSQL target: a first push of a pulled cache is
# killed with SIGKILL at random points, again and again, then pushed to the
# end. Triggers (fixtures/pg_write_counter.sql) count every row offered to
# a target table in a transaction that committed: each cache row must have
# been offered exactly once and written exactly once (a batch resent after
# its commit, the at-least-once of the REST target, would count 2), and
# the target must equal the cache field by field.
# Usage: test_pg_kill.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
if [ -z "${3:-}" ]; then
  export GS_BUILD_DIR=$BUILD
  export GS_HARNESS_SQL=$SRC/tests/integration/fixtures/pg_write_counter.sql
  exec bash "$SRC/tools/harness/pg-harness.sh" run -- bash "$0" "$BUILD" "$SRC" --inner
fi
source "$SRC/tests/integration/lib.sh" "$BUILD" "$SRC"
unset GAZSYNC_PAGE_SIZE GAZSYNC_MAX_ATTEMPTS DATABASE_URL SUPABASE_URL SUPABASE_SERVICE_ROLE_KEY
export GAZSYNC_PG_URL=$PG_URL
start_sim --seed 5 --scale 0.3 --hires-per-year 0
db="$GS_TMP/cache.db"
printf '[push]\ntarget = postgres\n' >"$GS_TMP/gazsync.ini"
gs() { "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$(sim_now)" "$@"; }
psql_q() { "$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 -d "$PG_URL" -c "$1"; }

gs pull >/dev/null 2>&1 || fail "pull failed"
total=0
for e in users clients contacts pianos appointments timeline_entries; do
  total=$((total + $(sqlite3 "$db" "select count(*) from $e")))
done
[ "$total" -gt 2000 ] || fail "only $total rows pulled; the test needs a push long enough to kill"

kills=0
window=0
done_rc=
now=$(sim_now)
for round in $(seq 1 40); do
  # Small batches: many commits, so a kill lands between the target's commit
  # and the cache's record often enough.
  # gazsync itself in the background (a shell function would be a subshell,
  # and SIGKILL would leave gazsync running).
  "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$now" push --batch 25 \
    >"$GS_TMP/push.$round.out" 2>&1 &
  pid=$!
  sleep "0.$(( RANDOM % 6 ))$(( RANDOM % 10 ))"
  if kill -KILL "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    kills=$((kills + 1))
    # Informative: a kill between the target's commit and the cache's (the
    # case only the target's checkpoint makes exactly-once).
    for e in users clients contacts pianos appointments timeline_entries; do
      t=$(psql_q "select coalesce(max(last_change_seq), 0) from gazsync_push_state where entity = '$e'")
      c=$(sqlite3 "$db" "select coalesce(max(last_pushed_seq), 0) from push_state where entity = '$e'")
      [ "$t" -gt "$c" ] && window=$((window + 1))
    done
    continue
  fi
  rc=0
  wait "$pid" || rc=$?
  done_rc=$rc
  break
done
[ "$kills" -ge 3 ] || fail "only $kills push(es) were killed; the test needs several"
if [ -z "$done_rc" ] || [ "$done_rc" != 0 ]; then
  gs push >"$GS_TMP/push.last.out" 2>&1 || fail "the push after $kills kills failed: $(cat "$GS_TMP/push.last.out")"
fi
python3 "$GS_SRC/tests/integration/compare_target.py" "$db" --full >"$GS_TMP/cmp.out" \
  || fail "target differs from the cache after $kills kills: $(grep DIFF "$GS_TMP/cmp.out" | head -5)"
rows=$(psql_q "select count(*) from gs_test_writes where tbl like 'gazelle_%'")
[ "$rows" = "$total" ] || fail "$rows target rows counted, the cache has $total"
twice=$(psql_q "select count(*) from gs_test_writes where tbl like 'gazelle_%' and (offered <> 1 or written <> 1)")
[ "$twice" = 0 ] || fail "$twice rows offered or written other than once after $kills kills: $(psql_q "select tbl, row_key, offered, written from gs_test_writes where tbl like 'gazelle_%' and (offered <> 1 or written <> 1) limit 5")"
for e in users clients contacts pianos appointments timeline_entries; do
  want=$(sqlite3 "$db" "select coalesce(max(change_seq), 0) from $e")
  got=$(psql_q "select last_change_seq from gazsync_push_state where entity = '$e'")
  cache=$(sqlite3 "$db" "select last_pushed_seq from push_state where entity = '$e'")
  [ "$got" = "$want" ] && [ "$cache" = "$want" ] \
    || fail "$e: target checkpoint $got, cache $cache, highest change_seq $want"
done
gs push >"$GS_TMP/push.quiet.out" 2>&1 || fail "a push with nothing left failed"
[ "$(psql_q "select coalesce(sum(written), 0) from gs_test_writes where tbl like 'gazelle_%'")" = "$total" ] \
  || fail "the push after the recovery wrote rows again"
pass "$kills pushes killed at random points, then pushed: $total rows, each offered and written exactly once ($window kill(s) fell between the target's commit and the cache's)"
