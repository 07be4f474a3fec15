#!/usr/bin/env bash
# Row-level security on every table schema/supabase.sql creates (issue 11,
# defect 21), on a real PostgreSQL: a role granted what Supabase grants its
# public "anon" role reads no row and writes none, while a BYPASSRLS role
# (Supabase's service_role, the one gazsync's key maps to) and a push through
# the double work; applying the file again changes nothing.
# Args: BUILD_DIR SOURCE_DIR.
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
SRC=$2
. "$2/tools/harness/testlib.sh"

tables=$(sed -n 's/^create table if not exists \([a-z_]*\).*/\1/p' "$SRC/schema/supabase.sql")
check "the file creates the 8 tables (gazsync_push_state too)" "$(echo "$tables" | wc -l)" 8

# Supabase's grants: the API roles get every table of public.
sql "create role anon nologin; create role service_role nologin bypassrls;
     grant usage on schema public to anon, service_role;
     grant select, insert, update, delete on all tables in schema public to anon, service_role;
     grant usage on all sequences in schema public to anon, service_role" >/dev/null

for t in $tables; do
    check "$t: row-level security on" "$(sql "select relrowsecurity from pg_class where oid = 'public.$t'::regclass")" t
    check "$t: no policy lets anon in" "$(sql "select count(*) from pg_policies where tablename = '$t'")" 0
done

# A row written as the service role and one pushed through the double.
sql "set role service_role; insert into gazelle_clients (external_id, company_name) values ('c1', 'Alpha')" >/dev/null
rest POST "/rest/v1/gazelle_clients?on_conflict=external_id" \
    -H 'Prefer: resolution=merge-duplicates,return=minimal' -d '[{"external_id":"c2","company_name":"Beta"}]'
check "push through the double (service key): 201" "$STATUS" 201
check "service_role reads every row" "$(sql "set role service_role; select count(*) from gazelle_clients")" 2
check "service_role updates" "$(sql "set role service_role; with u as (update gazelle_clients set status = 'x' returning 1) select count(*) from u")" 2

for t in $tables; do
    check "anon reads nothing of $t" "$(sql "set role anon; select count(*) from $t")" 0
done
check "anon updates no row" "$(sql "set role anon; with u as (update gazelle_clients set company_name = 'owned' returning 1) select count(*) from u")" 0
check "anon deletes no row" "$(sql "set role anon; with d as (delete from gazelle_clients returning 1) select count(*) from d")" 0
out=$(sql "set role anon; insert into gazelle_clients (external_id, company_name) values ('evil', 'x')" 2>&1 || true)
check "anon cannot insert" "$(echo "$out" | grep -c 'row-level security')" 1
check "the rows are intact" "$(sql "select string_agg(external_id || ':' || company_name, ',' order by external_id) from gazelle_clients")" "c1:Alpha,c2:Beta"

# Idempotent: the file applied again.
PGOPTIONS="-c client_min_messages=warning" "${PG_BIN:+$PG_BIN/}psql" -XAtq -v ON_ERROR_STOP=1 \
    -d "$PG_URL" -f "$SRC/schema/supabase.sql" >/dev/null 2>"$TL_TMP/reapply.err"
check "schema applies again without error" "$(cat "$TL_TMP/reapply.err")" ""
check "still on after re-applying" "$(sql "select bool_and(relrowsecurity) from pg_class where relname in ($(echo "$tables" | sed "s/.*/'&'/" | paste -sd,))")" t

finish
