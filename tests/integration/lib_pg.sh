# Shared by the tests that need a real PostgreSQL (sourced; not a test
# itself). Such a test runs twice: started by ctest it only starts
# tools/harness/pg-harness.sh (a throwaway cluster with schema/supabase.sql
# and the PostgREST double), which runs it again with --inner. This file is
# sourced first, before lib.sh or tools/harness/testlib.sh: the outer run
# must leave no temp folder or trap of theirs behind the harness.
#
#   pg_harness BUILD SRC MODE [SQL...]  outer run (MODE empty): runs this
#       test again inside the harness as `TEST BUILD SRC --inner`, both
#       paths absolute, with the SQL files (paths under tests/integration/,
#       "-" for stdin) applied after the schema, and exits with its status;
#       inner run (MODE --inner): returns. Variables the harness should see
#       (GS_DOUBLE_MAX_BODY, ...) go in the call's environment.
# The rest is for the inner run, with lib.sh sourced:
#   pg_target [--rest] SIM_FLAGS...  a push to the PostgreSQL target: the
#       simulator started, $db, $now (the simulator's clock) and
#       $GS_TMP/gazsync.ini with `[push] target = postgres`; --rest keeps
#       the double's SUPABASE_URL and key for a REST push beside it.
#   gs ARGS...     (defined by pg_target) gazsync on $db with that file,
#       at $now
#   psql_q SQL     one statement on the cluster, its rows unaligned
#   cache_rows     the rows of every entity in $db
#   target_equals_cache [WHEN]  the target holds the cache, field by field
#   checkpoints_at_top  each entity's target and cache checkpoints are its
#       highest change_seq
#   target_rows, written_once [WHEN]  with fixtures/pg_write_counter.sql:
#       the target rows counted; each offered and written exactly once
#   pg_lock TABLE SECONDS, pg_unlock  another session holds TABLE in access
#       exclusive mode (returns once granted); ends that session
#   soft_deletes_arrive  (the simulator started with deletions a year)
#       two months later a full `gs sync` brings upstream's deletions to the
#       cache and the target as soft deletes; cache = dump, target = cache

# Set only in the outer run: the SQL the harness applies, removed at exit.
GS_PG_SQL=

pg_harness() {
  local build=$1 src=$2 mode=$3 sql= f rc=0
  shift 3
  [ "$mode" != --inner ] || return 0
  build=$(cd "$build" && pwd)
  src=$(cd "$src" && pwd)
  if [ "$#" = 1 ] && [ "$1" != - ]; then
    sql=$src/tests/integration/$1
  elif [ "$#" -gt 1 ] || [ "${1:-}" = - ]; then
    GS_PG_SQL=$(mktemp "${TMPDIR:-/tmp}/gs-pgtest.XXXXXX.sql")
    trap 'rm -f "$GS_PG_SQL"' EXIT
    for f in "$@"; do
      if [ "$f" = - ]; then cat; else cat "$src/tests/integration/$f"; fi
    done >"$GS_PG_SQL"
    sql=$GS_PG_SQL
  fi
  # With no file of ours to remove, the harness takes this process's place:
  # the signal that stops the test reaches it, and it cleans up.
  [ -n "$GS_PG_SQL" ] || GS_BUILD_DIR=$build GS_HARNESS_SQL=$sql \
    exec bash "$src/tools/harness/pg-harness.sh" run -- bash "$0" "$build" "$src" --inner
  GS_BUILD_DIR=$build GS_HARNESS_SQL=$sql \
    bash "$src/tools/harness/pg-harness.sh" run -- bash "$0" "$build" "$src" --inner \
    || rc=$?
  exit "$rc"
}

pg_target() {
  unset GAZSYNC_PAGE_SIZE GAZSYNC_MAX_ATTEMPTS DATABASE_URL
  # The REST target must not be what answers: no Supabase URL or key at
  # all, unless the test pushes through both.
  if [ "${1:-}" = --rest ]; then
    shift
  else
    unset SUPABASE_URL SUPABASE_SERVICE_ROLE_KEY
  fi
  export GAZSYNC_PG_URL=$PG_URL
  start_sim "$@"
  db="$GS_TMP/cache.db"
  printf '[push]\ntarget = postgres\n' >"$GS_TMP/gazsync.ini"
  now=$(sim_now)
  # Here, not beside psql_q: a test without pg_target has a gs of its own.
  gs() { "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$now" "$@"; }
}

psql_q() { "$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 -d "$PG_URL" -c "$1"; }

cache_rows() {
  local e n=0
  for e in $GS_ENTITIES; do
    n=$((n + $(sqlite3 "$db" "select count(*) from $e")))
  done
  echo "$n"
}

target_equals_cache() {
  python3 "$GS_SRC/tests/integration/compare_target.py" "$db" --full >"$GS_TMP/cmp.out" \
    || fail "target differs from the cache${1:+ $1}: $(grep DIFF "$GS_TMP/cmp.out" | head -5)"
}

checkpoints_at_top() {
  local e want got cache
  for e in $GS_ENTITIES; do
    want=$(sqlite3 "$db" "select coalesce(max(change_seq), 0) from $e")
    got=$(psql_q "select last_change_seq from gazsync_push_state where entity = '$e'")
    cache=$(sqlite3 "$db" "select max(last_pushed_seq) from push_state where entity = '$e'")
    [ "$got" = "$want" ] && [ "$cache" = "$want" ] \
      || fail "$e: target checkpoint $got, cache $cache, highest change_seq $want"
  done
}

target_rows() { psql_q "select count(*) from gs_test_writes where tbl like 'gazelle_%'"; }

written_once() {
  local twice q="from gs_test_writes where tbl like 'gazelle_%' and (offered <> 1 or written <> 1)"
  twice=$(psql_q "select count(*) $q")
  [ "$twice" = 0 ] \
    || fail "$twice rows offered or written other than once${1:+ $1}: $(psql_q "select tbl, row_key, offered, written $q limit 5")"
}

# The locking session's psql, a child of the test (gs_cleanup stops it).
PG_LOCKER=
PG_LOCK_SECONDS=

pg_lock() {
  local held=0
  PG_LOCK_SECONDS=$2
  "$PG_BIN/psql" -XAtq -d "$PG_URL" -c "begin; lock table $1 in access exclusive mode; select pg_sleep($2); commit" \
    >/dev/null 2>&1 &
  PG_LOCKER=$!
  GS_PIDS+=("$PG_LOCKER")
  for _ in $(seq 1 100); do
    held=$(psql_q "select count(*) from pg_locks l join pg_class c on c.oid = l.relation where c.relname = '$1' and l.mode = 'AccessExclusiveLock' and l.granted")
    [ "$held" = 1 ] && break
    sleep 0.1
  done
  [ "$held" = 1 ] || fail "the lock on $1 was not taken"
}

pg_unlock() {
  psql_q "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep($PG_LOCK_SECONDS)%' and pid <> pg_backend_pid()" >/dev/null
  wait "$PG_LOCKER" 2>/dev/null || true
}

soft_deletes_arrive() {
  local gone e in_cache in_target deleted_target=0
  sim_post "/__sim/advance?days=60" >"$GS_TMP/advance60.json"
  now=$(sim_now)
  gone=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['clients']['deleted'] + d['pianos']['deleted'])" "$GS_TMP/advance60.json")
  [ "$gone" -gt 0 ] || fail "60 days at 400 deletions a year deleted nothing; the test needs deletions"
  gs sync --full >"$GS_TMP/full.out" 2>&1 || fail "full sync failed: $(cat "$GS_TMP/full.out")"
  for e in clients pianos; do
    in_cache=$(sqlite3 "$db" "select count(*) from $e where deleted_at is not null")
    in_target=$(psql_q "select count(*) from gazelle_$e where deleted_at is not null")
    [ "$in_cache" = "$in_target" ] || fail "deleted $e: cache $in_cache, target $in_target"
    deleted_target=$((deleted_target + in_target))
  done
  # Some rows deleted upstream were born in these 60 days and never pulled;
  # the dump comparison below proves none of the others is still live.
  [ "$deleted_target" -gt 0 ] || fail "$gone rows deleted upstream, none soft-deleted in the target"
  assert_cache_equals_dump "$db"
  target_equals_cache
  pass "upstream deletions arrive as soft deletes ($deleted_target clients and pianos)"
}
