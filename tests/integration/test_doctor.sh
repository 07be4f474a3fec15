#!/usr/bin/env bash
# gazsync doctor (issue 15): against a correct set-up (gazelle-sim with a
# token, the PostgREST double over a real PostgreSQL with the schema and
# row-level security, a synced cache) it exits 0 and reports every area ok;
# then each broken piece in turn is reported as a PROBLEM with a fix line
# and the documented exit code: wrong Gazelle token, wrong Supabase key, a
# missing table, a missing column, RLS off, an unreachable host, a .env
# readable by others, a cache readable by others, a locked cache, a corrupt
# cache, SUPABASE_URL ending in /rest/v1, a Gazelle URL without
# /graphql/private/. doctor changes nothing: the cache's bytes and the
# database are the same afterwards. No secret appears in its output.
# Usage: test_doctor.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
# Supabase's API roles, so that the anon key's reads run under RLS; the
# anon key the double takes (the inner run inherits the outer's).
POSTGREST_DOUBLE_ANON_KEY=${POSTGREST_DOUBLE_ANON_KEY:-anon-$(od -An -tx8 -N8 /dev/urandom | tr -d ' ')} \
  pg_harness "$1" "$2" "${3:-}" - <<'SQL'
create role anon nologin;
grant usage on schema public to anon;
grant select on all tables in schema public to anon;
SQL
source "$2/tests/integration/lib.sh" "$1" "$2"
start_sim --seed 5 --scale 0.05 --token doctor-sim-token-9f2c
export GAZELLE_ACCESS_TOKEN=doctor-sim-token-9f2c
export SUPABASE_ANON_KEY=$POSTGREST_DOUBLE_ANON_KEY
unset GAZSYNC_TOKEN_FILE
cd "$GS_TMP"
db="$GS_TMP/cache.db"
doc() { # runs doctor; output in $GS_TMP/doc.out, exit code in $rc
  rc=0
  "$GAZSYNC" --db "$db" "$@" doctor >"$GS_TMP/doc.out" 2>"$GS_TMP/doc.err" || rc=$?
  if grep -qF -e "$GAZELLE_ACCESS_TOKEN" -e "$SUPABASE_SERVICE_ROLE_KEY" \
      -e "$POSTGREST_DOUBLE_ANON_KEY" "$GS_TMP/doc.out" "$GS_TMP/doc.err"; then
    fail "doctor printed a secret"
  fi
}
expect_problem() { # NAME EXIT REGEX: doctor exits EXIT, a PROBLEM line matches, a fix follows
  local t0=$SECONDS
  doc "${@:4}"
  echo "  ($1: $((SECONDS - t0)) s)"
  [ "$rc" = "$2" ] || fail "$1: doctor exited $rc, expected $2: $(cat "$GS_TMP/doc.out" "$GS_TMP/doc.err")"
  grep -A1 -E "^PROBLEM .*$3" "$GS_TMP/doc.out" | grep -q 'fix: ' \
    || fail "$1: no PROBLEM line matching '$3' with a fix: $(cat "$GS_TMP/doc.out")"
  pass "$1"
}

"$GAZSYNC" --db "$db" --now "$(sim_now)" sync >"$GS_TMP/sync.out" 2>&1 \
  || fail "set-up sync failed: $(cat "$GS_TMP/sync.out")"

# 1. A correct set-up: exit 0, every area checked, no PROBLEM.
before=$(sha256sum "$db" | cut -d' ' -f1)
rows_before=$(psql_q "select count(*) from gazelle_clients")
doc
[ "$rc" = 0 ] || fail "doctor on a correct set-up exited $rc: $(cat "$GS_TMP/doc.out" "$GS_TMP/doc.err")"
! grep -q '^PROBLEM' "$GS_TMP/doc.out" || fail "a PROBLEM on a correct set-up"
for area in config cache gazelle supabase; do
  grep -q "^ok  *$area " "$GS_TMP/doc.out" || fail "no ok line for $area"
done
grep -q '^ok .*credentials accepted' "$GS_TMP/doc.out" || fail "Gazelle's query not reported"
for t in gazelle_users gazelle_clients gazelle_contacts gazelle_pianos gazelle_appointments \
         gazelle_timeline_entries gazsync_runs; do
  grep -q "^ok .*table $t and its columns present" "$GS_TMP/doc.out" || fail "table $t not reported ok"
  grep -q "^ok .*anon key reads nothing of $t" "$GS_TMP/doc.out" || fail "RLS of $t not reported ok"
done
grep -q '^all [0-9]* checks passed' "$GS_TMP/doc.out" || fail "no summary line"
[ "$(sha256sum "$db" | cut -d' ' -f1)" = "$before" ] || fail "doctor changed the cache"
[ "$(psql_q "select count(*) from gazelle_clients")" = "$rows_before" ] || fail "doctor changed the target"
[ ! -e "$db.tokens" ] || fail "doctor wrote a token file"
pass "a correct set-up: exit 0, every area ok, nothing changed"

# 2. Without the anon key RLS is said to be unchecked, and that alone is no failure.
( unset SUPABASE_ANON_KEY; doc; [ "$rc" = 0 ] || exit 1
  grep -q '^skipped .*row-level security not checked' "$GS_TMP/doc.out" ) \
  || fail "without SUPABASE_ANON_KEY: not exit 0 with a skipped RLS line"
pass "no anon key: RLS skipped, exit 0"

# 3. Each broken piece.
GAZELLE_ACCESS_TOKEN=wrong-token expect_problem "wrong Gazelle token" 5 'gazelle .*refused the credentials'
SUPABASE_SERVICE_ROLE_KEY=wrong-key expect_problem "wrong Supabase key" 5 'supabase .*key was refused'
GAZELLE_API_URL=http://127.0.0.1:1/graphql/private/ expect_problem "unreachable Gazelle" 4 'gazelle .*cannot reach 127.0.0.1:1'
SUPABASE_URL=http://127.0.0.1:1 expect_problem "unreachable Supabase" 4 'supabase .*cannot reach 127.0.0.1:1'
SUPABASE_URL=$SUPABASE_URL/rest/v1 expect_problem "SUPABASE_URL with /rest/v1" 3 'supabase .*ends in /rest/v1'
GAZELLE_API_URL=$SIM_URL/ expect_problem "Gazelle URL without /graphql/private/" 3 'gazelle .*no /graphql/private/'

psql_q "alter table gazelle_pianos rename to gazelle_pianos_away"
expect_problem "missing table" 4 'supabase .*table gazelle_pianos is missing'
psql_q "alter table gazelle_pianos_away rename to gazelle_pianos"
psql_q "alter table gazelle_clients drop column tags"
expect_problem "missing column" 4 'supabase .*table gazelle_clients lacks column tags$'
psql_q "alter table gazelle_clients add column tags jsonb"
psql_q "alter table gazelle_contacts disable row level security"
expect_problem "RLS off" 4 'supabase .*anon key reads rows of gazelle_contacts'
psql_q "alter table gazelle_contacts enable row level security"

printf 'GAZSYNC_PAGE_SIZE=50\n' >"$GS_TMP/shared.env"
chmod 644 "$GS_TMP/shared.env"
expect_problem ".env readable by others" 3 'config .*env file .*readable by others' --env-file "$GS_TMP/shared.env"
chmod 644 "$db"
expect_problem "cache readable by others" 7 'cache .*readable by others'
chmod 600 "$db"

# A run holding the lock: flock on the same file, as the run lock is; the
# subshell becomes the sleep, so killing it lets the lock go.
( exec 9<"$db.lock"; flock -x 9; exec sleep 30 ) &
GS_PIDS+=($!)
for _ in $(seq 1 100); do flock -n -s "$db.lock" true || break; sleep 0.05; done
expect_problem "locked cache" 8 'cache .*holds the cache.s run lock'
kill "${GS_PIDS[-1]}"; wait "${GS_PIDS[-1]}" 2>/dev/null || true

cp "$db" "$GS_TMP/corrupt.db"
python3 - "$GS_TMP/corrupt.db" <<'PY'
import sys
p = sys.argv[1]
with open(p, 'r+b') as f:
    f.seek(4096 * 3)
    f.write(b'\xff' * 4096 * 2)
PY
rc=0
"$GAZSYNC" --db "$GS_TMP/corrupt.db" doctor >"$GS_TMP/doc.out" 2>&1 || rc=$?
[ "$rc" = 7 ] || fail "corrupt cache: exit $rc: $(cat "$GS_TMP/doc.out")"
grep -q '^PROBLEM  cache' "$GS_TMP/doc.out" || fail "corrupt cache: no cache PROBLEM"
pass "corrupt cache: exit 7"

# 4. Once fixed, exit 0 again (every piece put back as it was).
doc
[ "$rc" = 0 ] || fail "after the repairs doctor exited $rc: $(cat "$GS_TMP/doc.out")"
pass "repaired: exit 0"
