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
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}" fixtures/pg_write_counter.sql
source "$2/tests/integration/lib.sh" "$1" "$2"
pg_target --seed 5 --scale 0.3 --hires-per-year 0

gs pull >/dev/null 2>&1 || fail "pull failed"
total=$(cache_rows)
[ "$total" -gt 2000 ] || fail "only $total rows pulled; the test needs a push long enough to kill"

kills=0
window=0
done_rc=
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
    for e in $GS_ENTITIES; do
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
target_equals_cache "after $kills kills"
rows=$(target_rows)
[ "$rows" = "$total" ] || fail "$rows target rows counted, the cache has $total"
written_once "after $kills kills"
checkpoints_at_top
gs push >"$GS_TMP/push.quiet.out" 2>&1 || fail "a push with nothing left failed"
[ "$(psql_q "select coalesce(sum(written), 0) from gs_test_writes where tbl like 'gazelle_%'")" = "$total" ] \
  || fail "the push after the recovery wrote rows again"
pass "$kills pushes killed at random points, then pushed: $total rows, each offered and written exactly once ($window kill(s) fell between the target's commit and the cache's)"
