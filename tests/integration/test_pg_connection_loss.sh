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
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}" fixtures/pg_write_counter.sql - <<'SQL'
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
source "$2/tests/integration/lib.sh" "$1" "$2"
pg_target --seed 5 --scale 0.1 --hires-per-year 0
export GAZSYNC_MAX_ATTEMPTS=4

gs pull >/dev/null 2>&1 || fail "pull failed"
total=$(cache_rows)
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

target_equals_cache "after the cuts"
rows=$(target_rows)
[ "$rows" = "$total" ] || fail "$rows target rows counted, the cache has $total"
written_once
checkpoints_at_top
echo "ok: 4 connection cuts (3 mid-COPY, 1 before a commit), every row written once (push exit $rc)"
