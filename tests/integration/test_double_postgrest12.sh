#!/usr/bin/env bash
# The double answers as PostgREST 12 where it used to depart from it (issue
# 11, defect 22; contracts/postgrest.md):
#   - an upsert that creates no row answers 200, one that creates any 201,
#     a plain insert 201 (PostgREST PR #2926);
#   - on_conflict naming a missing column reaches PostgreSQL: 400 42703,
#     not PGRST204; so does a \u0000 (valid JSON): 400 22P05, not PGRST102;
#   - a read never gets Preference-Applied: return=... (only count=);
#   - PATCH/DELETE with return=representation: Content-Range 0-(n-1)/*,
#     */* for no row; an insert's range stays */*.
# Args: BUILD_DIR SOURCE_DIR.
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
. "$2/tools/harness/testlib.sh"

T=/rest/v1/gazelle_clients?on_conflict=external_id
MINIMAL=(-H 'Prefer: resolution=merge-duplicates,return=minimal')
REPR=(-H 'Prefer: resolution=merge-duplicates,return=representation')

# -- upsert status: 201 when a row was created, 200 when none was
rest POST "$T" "${MINIMAL[@]}" -d '[{"external_id":"c1","company_name":"A"},{"external_id":"c2","company_name":"B"}]'
check "upsert creating rows: 201, empty" "$STATUS|$BODY" "201|"
rest POST "$T" "${MINIMAL[@]}" -d '[{"external_id":"c1","company_name":"A2"},{"external_id":"c2","company_name":"B2"}]'
check "upsert updating every row: 200, empty" "$STATUS|$BODY" "200|"
check "the update was written" "$(sql "select string_agg(company_name, ',' order by external_id) from gazelle_clients")" "A2,B2"
rest POST "$T" "${MINIMAL[@]}" -d '[{"external_id":"c1","company_name":"A3"},{"external_id":"c3","company_name":"C"}]'
check "upsert updating one, creating one: 201" "$STATUS" 201
rest POST "$T" "${REPR[@]}" -d '[{"external_id":"c3","company_name":"C2"}]'
check "representation of an update: 200 with the row" "$STATUS $(json '[r["company_name"] for r in j]')" '200 ["C2"]'
rest POST "$T" -H 'Prefer: resolution=ignore-duplicates,return=minimal' -d '[{"external_id":"c1","company_name":"ignored"}]'
check "ignore-duplicates, every row existing: 200" "$STATUS" 200
rest POST "$T" "${MINIMAL[@]}" -d '[]'
check "upsert of no row: 200" "$STATUS" 200
rest POST /rest/v1/gazelle_clients -d '{"external_id":"c9","company_name":"plain"}'
check "plain insert: 201" "$STATUS" 201

# -- on_conflict naming a missing column: PostgreSQL's 42703
rest POST "/rest/v1/gazelle_clients?on_conflict=nope" "${MINIMAL[@]}" -d '[{"external_id":"c1"}]'
check "on_conflict missing column: 400 42703" "$STATUS/$(json 'j["code"]')" 400/42703
check "its message is PostgreSQL's" "$(json 'j["message"]')" 'column "nope" does not exist'
check "nothing written" "$(sql "select count(*) from gazelle_clients")" 4

# -- \u0000 is valid JSON: PostgreSQL, not the JSON parser, refuses it
rest POST "$T" "${MINIMAL[@]}" -d '[{"external_id":"c5","company_name":"a\u0000b"}]'
check "U+0000 in a text column: 400 22P05 from PostgreSQL" "$STATUS/$(json 'j["code"]')" 400/22P05

# -- Preference-Applied: never return= on a read
rest GET "/rest/v1/gazelle_clients?select=external_id" -H 'Prefer: return=representation'
check "GET with return=: 200, no Preference-Applied" "$STATUS|$(header Preference-Applied)" "200|"
rest GET "/rest/v1/gazelle_clients?select=external_id" -H 'Prefer: return=minimal, count=exact'
check "GET with count=exact: only count applied" "$(header Preference-Applied)" "count=exact"
rest HEAD "/rest/v1/gazelle_clients" -H 'Prefer: return=representation'
check "HEAD: no Preference-Applied" "$STATUS|$(header Preference-Applied)" "200|"
rest POST "$T" "${MINIMAL[@]}" -d '[{"external_id":"c4"}]'
check "a write still says what it applied" "$(header Preference-Applied)" "resolution=merge-duplicates, return=minimal"
check "an insert's Content-Range: */*" "$(header Content-Range)" "*/*"

# -- PATCH / DELETE Content-Range: the rows written
rest PATCH '/rest/v1/gazelle_clients?external_id=eq.c1' -H 'Prefer: return=representation' -d '{"status":"inactive"}'
check "PATCH one row, representation: 200 0-0/*" "$STATUS $(header Content-Range)" "200 0-0/*"
rest PATCH '/rest/v1/gazelle_clients?external_id=in.(c1,c2,c3)' -H 'Prefer: return=representation' -d '{"status":"active"}'
check "PATCH three rows: 0-2/*" "$(header Content-Range) $(json 'len(j)')" "0-2/* 3"
rest PATCH '/rest/v1/gazelle_clients?external_id=in.(c1,c2)' -H 'Prefer: return=representation, count=exact' -d '{"status":"x"}'
check "PATCH with count=exact: 0-1/2" "$(header Content-Range)" "0-1/2"
rest PATCH '/rest/v1/gazelle_clients?external_id=eq.none' -H 'Prefer: return=representation' -d '{"status":"x"}'
check "PATCH no row: 200 */* []" "$STATUS $(header Content-Range) $BODY" "200 */* []"
rest PATCH '/rest/v1/gazelle_clients?external_id=eq.c1' -d '{"status":"y"}'
check "PATCH minimal: 204 0-0/*" "$STATUS $(header Content-Range)" "204 0-0/*"
rest DELETE '/rest/v1/gazelle_clients?external_id=eq.c9' -H 'Prefer: return=representation'
check "DELETE one row: 200 0-0/*" "$STATUS $(header Content-Range)" "200 0-0/*"

finish
