#!/usr/bin/env bash
# The push state is kept per target (issue 16): a cache pushed through
# PostgREST, then switched to the PostgreSQL target of the same database,
# keeps its REST state under "supabase" and starts the new target from that
# target's own checkpoint (gazsync_push_state), under
# "postgres:HOST:PORT/DATABASE". The rows the REST push wrote are there
# already: the switch rewrites none of them (a write-counting trigger,
# fixtures/pg_write_counter.sql), and switching back finds the REST state
# as it was (nothing pending).
# Usage: test_pg_switch_target.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}" fixtures/pg_write_counter.sql
source "$2/tests/integration/lib.sh" "$1" "$2"
pg_target --rest --seed 13 --scale 0.05 --hires-per-year 0
printf '[push]\ntarget = supabase\n' >"$GS_TMP/rest.ini"
rest() { "$GAZSYNC" --db "$db" --config "$GS_TMP/rest.ini" --now "$now" "$@"; }
port=$(psql_q "show port")

rest pull >/dev/null 2>&1 || fail "pull failed"
rest push >"$GS_TMP/rest.out" 2>&1 \
  || fail "the REST push failed: $(cat "$GS_TMP/rest.out")"
written_rest=$(psql_q "select coalesce(sum(written), 0) from gs_test_writes where tbl like 'gazelle_%'")
[ "$written_rest" -gt 0 ] || fail "the REST push wrote nothing"

gs push >"$GS_TMP/pg.out" 2>&1 \
  || fail "the push after the switch failed: $(cat "$GS_TMP/pg.out")"
written=$(psql_q "select coalesce(sum(written), 0) from gs_test_writes where tbl like 'gazelle_%'")
[ "$written" = "$written_rest" ] \
  || fail "the switch rewrote $((written - written_rest)) row(s) the REST push had written"
key="postgres:127.0.0.1:$port/gazsync"
for e in $GS_ENTITIES; do
  want=$(sqlite3 "$db" "select coalesce(max(change_seq), 0) from $e")
  rest=$(sqlite3 "$db" "select last_pushed_seq from push_state where entity = '$e' and target = 'supabase'")
  pg=$(sqlite3 "$db" "select last_pushed_seq from push_state where entity = '$e' and target = '$key'")
  target=$(psql_q "select last_change_seq from gazsync_push_state where entity = '$e'")
  [ "$rest" = "$want" ] || fail "$e: the REST state is $rest, want $want"
  [ "$pg" = "$want" ] || fail "$e: the state under $key is '$pg', want $want"
  [ "$target" = "$want" ] || fail "$e: the target's checkpoint is '$target', want $want"
done
n=$(sqlite3 "$db" "select count(*) from push_state where target not in ('supabase', '$key')")
[ "$n" = 0 ] || fail "push_state holds $n row(s) under another name"
sqlite3 "$db" "select target from push_state" | grep -q "@\|password" && fail "a push_state name holds a secret"

rest push >"$GS_TMP/back.out" 2>&1 \
  || fail "the push after switching back failed: $(cat "$GS_TMP/back.out")"
grep -Eq "^push total +0 pushed" "$GS_TMP/back.out" \
  || fail "switching back to REST resent rows: $(cat "$GS_TMP/back.out")"
target_equals_cache
echo "ok: REST state kept, the PostgreSQL target's own key, nothing rewritten"
