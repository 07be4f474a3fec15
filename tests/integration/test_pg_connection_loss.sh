#!/usr/bin/env bash
# Connection loss in the middle of a PostgreSQL push: the server process of
# gazsync's session is terminated (pg_terminate_backend of its own backend,
# from a trigger, so the cut lands exactly there) in the middle of COPYs of
# three entities and once between a COPY and its commit (on the checkpoint
# row). The push mends the connection with backoff and redoes the batch,
# or the next push does: nothing lost, nothing written twice (the
# write-counting triggers of fixtures/pg_write_counter.sql count only what
# committed), the target equal to the cache, the checkpoints in step.
# Usage: test_pg_connection_loss.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
if [ -z "${3:-}" ]; then
  sql_file=$(mktemp "${TMPDIR:-/tmp}/gs-pgcut.XXXXXX.sql")
  trap 'rm -f "$sql_file"' EXIT
  cat "$SRC/tests/integration/fixtures/pg_write_counter.sql" >"$sql_file"
  cat >>"$sql_file" <<'SQL'
-- A sequence is not rolled back with the batch: each cut happens once.
create sequence gs_test_rows;
create sequence gs_test_checkpoints;
create table gs_test_cuts (at text not null);
create function gs_test_cut_rows() returns trigger language plpgsql as $$
begin
    if nextval('gs_test_rows') in (40, 700, 1900) then
        perform pg_terminate_backend(pg_backend_pid());
    end if;
    return new;
end $$;
create function gs_test_cut_checkpoint() returns trigger language plpgsql as $$
begin
    if nextval('gs_test_checkpoints') = 4 then
        perform pg_terminate_backend(pg_backend_pid());
    end if;
    return new;
end $$;
create trigger gs_test_cut before insert on gazelle_clients
    for each row execute function gs_test_cut_rows();
create trigger gs_test_cut before insert on gazelle_pianos
    for each row execute function gs_test_cut_rows();
create trigger gs_test_cut before insert on gazelle_timeline_entries
    for each row execute function gs_test_cut_rows();
create trigger gs_test_cut before insert or update on gazsync_push_state
    for each row execute function gs_test_cut_checkpoint();
SQL
  GS_BUILD_DIR=$BUILD GS_HARNESS_SQL=$sql_file \
    bash "$SRC/tools/harness/pg-harness.sh" run -- bash "$0" "$BUILD" "$SRC" --inner
  exit $?
fi
source "$SRC/tests/integration/lib.sh" "$BUILD" "$SRC"
unset GAZSYNC_PAGE_SIZE DATABASE_URL SUPABASE_URL SUPABASE_SERVICE_ROLE_KEY
export GAZSYNC_PG_URL=$PG_URL GAZSYNC_MAX_ATTEMPTS=4 GAZSYNC_BACKOFF_BASE_MS=50
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
cut_rows=$(( $(sqlite3 "$db" "select count(*) from clients") + $(sqlite3 "$db" "select count(*) from pianos") \
  + $(sqlite3 "$db" "select count(*) from timeline_entries") ))
[ "$cut_rows" -gt 1900 ] || fail "only $cut_rows rows in the cut tables; the test needs more than 1900"

rc=0
gs push --batch 200 >"$GS_TMP/push1.out" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then # the retries ran out: the next push must finish
  gs push >"$GS_TMP/push2.out" 2>&1 || fail "the push after the cuts failed: $(cat "$GS_TMP/push2.out")"
fi
[ "$(psql_q "select last_value from gs_test_rows")" -ge 1900 ] || fail "the row cuts were not all reached"
[ "$(psql_q "select last_value from gs_test_checkpoints")" -ge 4 ] || fail "the checkpoint cut was not reached"

python3 "$GS_SRC/tests/integration/compare_target.py" "$db" --full >"$GS_TMP/cmp.out" \
  || fail "target differs from the cache after the cuts: $(grep DIFF "$GS_TMP/cmp.out" | head -5)"
rows=$(psql_q "select count(*) from gs_test_writes where tbl like 'gazelle_%'")
[ "$rows" = "$total" ] || fail "$rows target rows counted, the cache has $total"
twice=$(psql_q "select count(*) from gs_test_writes where tbl like 'gazelle_%' and (offered <> 1 or written <> 1)")
[ "$twice" = 0 ] || fail "$twice rows offered or written other than once: $(psql_q "select tbl, row_key, offered, written from gs_test_writes where tbl like 'gazelle_%' and (offered <> 1 or written <> 1) limit 5")"
for e in $entities; do
  want=$(sqlite3 "$db" "select coalesce(max(change_seq), 0) from $e")
  got=$(psql_q "select last_change_seq from gazsync_push_state where entity = '$e'")
  cache=$(sqlite3 "$db" "select max(last_pushed_seq) from push_state where entity = '$e'")
  [ "$got" = "$want" ] && [ "$cache" = "$want" ] \
    || fail "$e: target checkpoint $got, cache $cache, highest change_seq $want"
done
echo "ok: 4 connection cuts (3 mid-COPY, 1 before a commit), every row written once (push exit $rc)"
