#!/usr/bin/env bash
# A first push over PostgreSQL goes streamed (engine/push/push_pg_stream.c:
# one COPY per chunk, the checkpoint in its commit). This test breaks the
# stream in the middle and checks what falls back to the batches:
#  - a row the database refuses (a trigger raises check_violation for one
#    timeline entry, in the 4th of the stream's pages, while the pages
#    after it are being read and sent): the chunk is rolled back, the
#    batches quarantine that row alone, every other row is offered and
#    written once (the write-counting triggers of
#    fixtures/pg_write_counter.sql count only what committed);
#  - the connection lost in the stream's commit (the backend terminated by
#    a trigger on the appointments' checkpoint row): mended, the target's
#    checkpoint shows nothing committed, the batches send the rows once.
# An entity that meets neither goes in one transaction ("1 batch").
# Usage: test_pg_stream.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}" fixtures/pg_write_counter.sql - <<'SQL'
create table gs_test_refuse (external_id text primary key);
create function gs_test_refuse() returns trigger language plpgsql as $$
begin
    if exists (select 1 from gs_test_refuse r where r.external_id = new.external_id) then
        raise check_violation using message = 'gs_test_refuse: ' || new.external_id;
    end if;
    return new;
end $$;
create trigger gs_test_refuse before insert or update on gazelle_timeline_entries
    for each row execute function gs_test_refuse();
-- A sequence is not rolled back with the transaction: the cut happens once.
create sequence gs_test_cuts;
create function gs_test_cut_checkpoint() returns trigger language plpgsql as $$
begin
    if new.entity = 'appointments' and nextval('gs_test_cuts') = 1 then
        perform pg_terminate_backend(pg_backend_pid());
    end if;
    return new;
end $$;
create trigger gs_test_cut before insert or update on gazsync_push_state
    for each row execute function gs_test_cut_checkpoint();
SQL
source "$2/tests/integration/lib.sh" "$1" "$2"
pg_target --seed 5 --scale 0.1 --hires-per-year 0
export GAZSYNC_MAX_ATTEMPTS=4
batch=100

gs pull >/dev/null 2>&1 || fail "pull failed"
total=$(cache_rows)
[ "$(sqlite3 "$db" "select count(*) from contacts")" -gt "$batch" ] || fail "too few contacts for a stream of several pages"
[ "$(sqlite3 "$db" "select count(*) from appointments")" -gt "$batch" ] || fail "too few appointments for a stream"
[ "$(sqlite3 "$db" "select count(*) from timeline_entries")" -gt $((6 * batch)) ] || fail "too few timeline entries"
# The refused row: the 351st timeline entry in change_seq order, page 4 of 100.
bad=$(sqlite3 "$db" "select id from timeline_entries order by change_seq limit 1 offset 350")
[ -n "$bad" ] || fail "no timeline entry to refuse"
psql_q "insert into gs_test_refuse values ('$bad')" >/dev/null

rc=0
gs push --batch "$batch" >"$GS_TMP/push1.out" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "the push succeeded; one row should have been refused: $(cat "$GS_TMP/push1.out")"
grep -Eq "^contacts +pushed +[0-9]+ of [0-9]+ pending, 0 quarantined, 1 batch," "$GS_TMP/push1.out" \
  || fail "contacts did not go in one streamed transaction: $(grep '^contacts' "$GS_TMP/push1.out")"
n_tl=$(sqlite3 "$db" "select count(*) from timeline_entries")
grep -Eq "^timeline_entries +FAILED .*1 row\(s\) refused .*$((n_tl - 1)) pushed" "$GS_TMP/push1.out" \
  || fail "the refused row was not quarantined alone: $(cat "$GS_TMP/push1.out")"
# The lost commit: one streamed transaction tried, then the batches.
n_app=$(sqlite3 "$db" "select count(*) from appointments")
grep -Eq "^appointments +pushed +$n_app of $n_app pending, 0 quarantined, $(( (n_app + batch - 1) / batch )) batches, $(( (n_app + batch - 1) / batch + 1 )) requests" "$GS_TMP/push1.out" \
  || fail "appointments: not one stream then the batches: $(grep '^appointments' "$GS_TMP/push1.out")"
[ "$(psql_q "select last_value from gs_test_cuts")" -ge 1 ] || fail "the cut in the appointments' commit was not reached"
failures=$(sqlite3 "$db" "select group_concat(id) from push_failures")
[ "$failures" = "$bad" ] || fail "push_failures holds '$failures', want '$bad'"
[ "$(psql_q "select count(*) from gazelle_timeline_entries where external_id = '$bad'")" = 0 ] \
  || fail "the refused row is in the target"
rows=$(target_rows)
[ "$rows" = $((total - 1)) ] || fail "$rows target rows counted, want $((total - 1)) (the cache's $total but the refused one)"
written_once
checkpoints_at_top

# The database accepts the row again: the next push sends it alone.
psql_q "delete from gs_test_refuse" >/dev/null
gs push --batch "$batch" >"$GS_TMP/push2.out" 2>&1 || fail "the push after the refusal failed: $(cat "$GS_TMP/push2.out")"
[ "$(sqlite3 "$db" "select count(*) from push_failures")" = 0 ] || fail "the row is still quarantined"
target_equals_cache
written_once "after the retry"
echo "ok: a refusal and a lost commit in the stream fell back to the batches; every row written once"
