#!/usr/bin/env bash
# The round trip of test_sync_roundtrip.sh with `[push] target = postgres`:
# simulator -> cache -> the harness's real PostgreSQL over libpq (COPY into a
# temp table, one merge, the checkpoint in the same commit), counted by
# triggers (fixtures/pg_write_counter.sql):
#   1. a first sync: the target holds exactly the cache, field by field, and
#      gazsync_push_state holds each entity's last change_seq;
#   2. a quiet night: a second sync offers and writes 0 rows, anywhere;
#   3. a day later: exactly the changed rows are written, a column set by
#      hand (staff_notes) keeps its value, and a row the database refuses (a
#      CHECK constraint) is quarantined while the rest lands; once the
#      constraint is gone the next push lands it and empties push_failures;
#   4. deletions upstream arrive as soft deletes.
# Usage: test_pg_roundtrip.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}" fixtures/pg_write_counter.sql
source "$2/tests/integration/lib.sh" "$1" "$2"
pg_target --seed 21 --scale 0.2 --hires-per-year 0 --client-deletes-per-year 400 \
  --piano-deletes-per-year 400
printf '\n[entity.appointments]\npolicy = window=-60d..+200d\n' >>"$GS_TMP/gazsync.ini"
offered() { psql_q "select coalesce(sum(offered), 0) from gs_test_writes${1:+ where tbl = '$1'}"; }
written() { psql_q "select coalesce(sum(written), 0) from gs_test_writes${1:+ where tbl = '$1'}"; }

gs sync >"$GS_TMP/sync1.out" 2>&1 || fail "first sync exited $?: $(cat "$GS_TMP/sync1.out")"
assert_cache_equals_dump "$db"
target_equals_cache
for e in $GS_ENTITIES; do
  want=$(sqlite3 "$db" "select coalesce(max(change_seq), 0) from $e")
  got=$(psql_q "select last_change_seq from gazsync_push_state where entity = '$e'")
  [ "$got" = "$want" ] || fail "$e: target checkpoint $got, cache's highest change_seq $want"
done
[ "$(psql_q "select count(*) from gazsync_runs where status = 'ok'")" -ge 1 ] \
  || fail "the run log did not reach gazsync_runs"
pass "first sync: dump = cache = target, checkpoint = highest change_seq, run logged"

psql_q "truncate gs_test_writes"
gs sync >/dev/null 2>&1 || fail "second sync failed"
[ "$(offered)" = 0 ] && [ "$(written)" = 0 ] \
  || fail "a quiet night offered $(offered) and wrote $(written) rows: $(psql_q 'select * from gs_test_writes limit 5')"
pass "quiet night: 0 rows offered, 0 written"

psql_q "update gazelle_clients set staff_notes = 'accordé à 442 — noté à la main'"
hand_set=$(psql_q "select count(*) from gazelle_clients")
sim_post "/__sim/advance?days=1" >/dev/null
now=$(sim_now)
gs pull >/dev/null 2>&1 || fail "pull after a day failed"
declare -A pending
for e in $GS_ENTITIES; do
  pending[$e]=$(sqlite3 "$db" "select count(*) from $e where change_seq > coalesce((select last_pushed_seq from push_state where entity='$e'), 0)")
done
[ "${pending[clients]}" -ge 2 ] || fail "a simulated day changed ${pending[clients]} client(s); the test needs two"
# One changed client the database will refuse: NOT VALID checks new writes
# only, so the rows already there stay.
bad=$(sqlite3 "$db" "select id from clients where change_seq > (select last_pushed_seq from push_state where entity='clients') order by change_seq limit 1")
psql_q "alter table gazelle_clients add constraint gs_test_refuse check (external_id <> '$bad') not valid"
psql_q "truncate gs_test_writes"
rc=0
gs push --batch 7 >"$GS_TMP/push3.out" 2>&1 || rc=$?
[ "$rc" = 6 ] || fail "a push with a refused row exited $rc, want 6 (partial): $(cat "$GS_TMP/push3.out")"
code=$(sqlite3 "$db" "select code from push_failures where entity = 'clients' and id = '$bad'")
[ "$code" = 23514 ] || fail "the refused client is not quarantined with 23514 (got '$code')"
[ "$(sqlite3 "$db" "select count(*) from push_failures")" = 1 ] || fail "rows other than $bad were quarantined"
for e in $GS_ENTITIES; do
  want=${pending[$e]}
  [ "$e" = clients ] && want=$((want - 1))
  got=$(written "gazelle_$e")
  [ "$got" = "$want" ] || fail "$e: ${pending[$e]} changed rows, $got written, want $want"
  got=$(offered "gazelle_$e")
  [ "$got" = "$want" ] || fail "$e: $got rows offered in committed batches, want $want (each sent once)"
done
kept=$(psql_q "select count(*) from gazelle_clients where staff_notes = 'accordé à 442 — noté à la main'")
[ "$kept" = "$hand_set" ] || fail "staff_notes: $kept of $hand_set rows kept the hand-set value"
pass "a day later: exactly the changed rows written, $bad quarantined (23514), staff_notes kept on $kept rows"

psql_q "alter table gazelle_clients drop constraint gs_test_refuse"
gs push >"$GS_TMP/push4.out" 2>&1 || fail "push after the constraint went failed: $(cat "$GS_TMP/push4.out")"
[ "$(sqlite3 "$db" "select count(*) from push_failures")" = 0 ] || fail "push_failures not emptied"
target_equals_cache
pass "the quarantined row lands once the database takes it"

soft_deletes_arrive
