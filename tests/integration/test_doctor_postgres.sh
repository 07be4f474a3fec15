#!/usr/bin/env bash
# gazsync doctor with [push] target = postgres (issue 16): against the
# throwaway cluster with schema/supabase.sql it connects (the host named,
# never the password), says whether TLS is in use, and finds every target
# table with its owned columns, row-level security on each and
# gazsync_push_state: exit 0. Then each broken piece in turn is a PROBLEM
# with a fix line and the documented exit code: no connection string (3),
# a missing table (4), a missing column (4), RLS off (4), an unreachable
# server (4), a wrong password (5). doctor changes nothing, and no secret
# appears in its output.
# Usage: test_doctor_postgres.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
# A user with a password, so that the connection string holds a secret
# doctor must never print.
pg_harness "$1" "$2" "${3:-}" - <<'SQL'
create role gs_doctor login password 'doctor-pw-7c41e0' superuser;
SQL
source "$2/tests/integration/lib.sh" "$1" "$2"
start_sim --seed 5 --scale 0.05 --token doctor-sim-token-3b7d
export GAZELLE_ACCESS_TOKEN=doctor-sim-token-3b7d
unset GAZSYNC_TOKEN_FILE DATABASE_URL SUPABASE_URL SUPABASE_SERVICE_ROLE_KEY SUPABASE_ANON_KEY
cd "$GS_TMP"
db="$GS_TMP/cache.db"
secret=doctor-pw-7c41e0
port=$("$PG_BIN/psql" -XAtq -d "$PG_URL" -c "show port")
good_url="postgresql://gs_doctor:$secret@127.0.0.1:$port/gazsync"
export GAZSYNC_PG_URL=$good_url
printf '[push]\ntarget = postgres\n' >"$GS_TMP/gazsync.ini"
# The harness trusts every local connection; this user must give its
# password (so that a wrong one is refused).
hba="$PGDATA/pg_hba.conf"
{ echo "host all gs_doctor 127.0.0.1/32 scram-sha-256"; cat "$hba"; } >"$hba.new"
cat "$hba.new" >"$hba" && rm -f "$hba.new"
"$PG_BIN/psql" -XAtq -d "$PG_URL" -c "select pg_reload_conf()" >/dev/null
doc() { # runs doctor; output in $GS_TMP/doc.out, exit code in $rc
  rc=0
  "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" doctor >"$GS_TMP/doc.out" 2>"$GS_TMP/doc.err" || rc=$?
  if grep -qF -e "$secret" -e "$GAZELLE_ACCESS_TOKEN" "$GS_TMP/doc.out" "$GS_TMP/doc.err"; then
    fail "doctor printed a secret"
  fi
}
expect_problem() { # NAME EXIT REGEX: doctor exits EXIT, a PROBLEM line matches, a fix follows
  doc
  [ "$rc" = "$2" ] || fail "$1: doctor exited $rc, expected $2: $(cat "$GS_TMP/doc.out" "$GS_TMP/doc.err")"
  grep -A1 -E "^PROBLEM +postgres +.*$3" "$GS_TMP/doc.out" | grep -q 'fix: ' \
    || fail "$1: no postgres PROBLEM line matching '$3' with a fix: $(cat "$GS_TMP/doc.out")"
  pass "$1"
}

"$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$(sim_now)" sync >"$GS_TMP/sync.out" 2>&1 \
  || fail "set-up sync failed: $(cat "$GS_TMP/sync.out")"

# 1. A correct set-up: exit 0, the postgres area checked, no PROBLEM.
before=$(psql_q "select count(*) from gazelle_clients")
doc
[ "$rc" = 0 ] || fail "doctor on a correct set-up exited $rc: $(cat "$GS_TMP/doc.out" "$GS_TMP/doc.err")"
! grep -q '^PROBLEM' "$GS_TMP/doc.out" || fail "a PROBLEM on a correct set-up"
grep -q "^ok  *postgres  *connected to host 127.0.0.1 port $port database gazsync" "$GS_TMP/doc.out" \
  || fail "no ok line naming the server: $(cat "$GS_TMP/doc.out")"
grep -q "^ok  *postgres  *no TLS: the host is this machine" "$GS_TMP/doc.out" || fail "no TLS line"
for t in gazelle_users gazelle_clients gazelle_contacts gazelle_pianos gazelle_appointments \
    gazelle_timeline_entries gazsync_runs gazsync_push_state; do
  grep -q "^ok  *postgres  *table $t and its columns present" "$GS_TMP/doc.out" || fail "no table line for $t"
  grep -q "^ok  *postgres  *row-level security on for $t" "$GS_TMP/doc.out" || fail "no RLS line for $t"
done
! grep -q "^ok  *supabase  *table" "$GS_TMP/doc.out" || fail "the REST target was checked too"
pass "correct set-up"

# 2. Each broken piece in turn.
unset GAZSYNC_PG_URL
expect_problem "no connection string" 3 "neither GAZSYNC_PG_URL nor DATABASE_URL is set"
export GAZSYNC_PG_URL=$good_url

psql_q "alter table gazelle_pianos rename to gazelle_pianos_away"
expect_problem "missing table" 4 "table gazelle_pianos is missing"
psql_q "alter table gazelle_pianos_away rename to gazelle_pianos"

psql_q "alter table gazelle_clients rename column company_name to company_name_away"
expect_problem "missing column" 4 "table gazelle_clients lacks column company_name"
psql_q "alter table gazelle_clients rename column company_name_away to company_name"

psql_q "alter table gazelle_appointments disable row level security"
expect_problem "RLS off" 4 "row-level security is off on gazelle_appointments"
psql_q "alter table gazelle_appointments enable row level security"

psql_q "alter table gazsync_push_state rename to gazsync_push_state_away"
expect_problem "no gazsync_push_state" 4 "table gazsync_push_state is missing"
psql_q "alter table gazsync_push_state_away rename to gazsync_push_state"

export GAZSYNC_PG_URL="postgresql://gs_doctor:$secret@127.0.0.1:1/gazsync"
expect_problem "unreachable" 4 "host 127.0.0.1 port 1 database gazsync"

export GAZSYNC_PG_URL="postgresql://gs_doctor:wrong-$secret@127.0.0.1:$port/gazsync"
expect_problem "wrong password" 5 "authentication failed"
export GAZSYNC_PG_URL=$good_url

# 3. Nothing changed, and all is well again.
[ "$(psql_q "select count(*) from gazelle_clients")" = "$before" ] || fail "doctor changed the target"
doc
[ "$rc" = 0 ] || fail "doctor after the repairs exited $rc: $(cat "$GS_TMP/doc.out")"
echo "ok: doctor knows the PostgreSQL target"
