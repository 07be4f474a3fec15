#!/usr/bin/env bash
# The double's writes on a real PostgreSQL: bulk upsert inserts then merges,
# people's columns survive, a bad row fails the whole request with
# PostgREST's status and code and writes nothing, and the key is checked.
# Args: BUILD_DIR SOURCE_DIR.
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
. "$2/tools/harness/testlib.sh"

UPSERT=(-H 'Prefer: resolution=merge-duplicates,return=minimal')
T=/rest/v1/gazelle_clients?on_conflict=external_id

# -- bulk upsert: insert, then merge
rest POST "$T" "${UPSERT[@]}" -d '[
  {"external_id":"c1","company_name":"Alpha","tags":["a"],"no_contact_until":"2024-05-01","updated_at":"2024-01-01T10:00:00Z"},
  {"external_id":"c2","company_name":"Beta","tags":null,"no_contact_until":null,"updated_at":"2024-01-02T10:00:00Z"}]'
check "bulk insert answers 201" "$STATUS" 201
check "return=minimal has no body" "$BODY" ""
check "rows inserted" "$(sql "select string_agg(external_id||':'||company_name, ',' order by external_id) from gazelle_clients")" "c1:Alpha,c2:Beta"
check "jsonb and date stored typed" "$(sql "select tags::text||' '||no_contact_until from gazelle_clients where external_id='c1'")" '["a"] 2024-05-01'

sql "update gazelle_clients set staff_notes = 'call before noon' where external_id = 'c1'" >/dev/null
rest POST "$T" "${UPSERT[@]}" -d '[
  {"external_id":"c1","company_name":"Alpha 2","tags":["b"],"no_contact_until":null,"updated_at":"2024-02-01T10:00:00Z"},
  {"external_id":"c3","company_name":"Gamma","tags":[],"no_contact_until":null,"updated_at":"2024-02-02T10:00:00Z"}]'
check "merge answers 201" "$STATUS" 201
check "merge updated c1, inserted c3" "$(sql "select string_agg(external_id||':'||company_name, ',' order by external_id) from gazelle_clients")" "c1:Alpha 2,c2:Beta,c3:Gamma"
check "no duplicate rows" "$(sql "select count(*) from gazelle_clients")" 3
check "absent column (staff_notes) keeps its value" "$(sql "select staff_notes from gazelle_clients where external_id='c1'")" "call before noon"
check "absent column on other rows untouched" "$(sql "select coalesce(staff_notes,'NULL') from gazelle_clients where external_id='c2'")" "NULL"
check "identity id unchanged by merge" "$(sql "select id from gazelle_clients where external_id='c1'")" 1

# -- return=representation: 201 and a JSON array of the written rows
rest POST "$T&select=external_id,company_name" \
    -H 'Prefer: resolution=merge-duplicates' -H 'Prefer: return=representation' \
    -d '{"external_id":"c2","company_name":"Beta 2"}'
check "representation of an update answers 200 (PostgREST 12: no row created)" "$STATUS" 200
check_json "representation returns the rows" "$BODY" '[{"external_id":"c2","company_name":"Beta 2"}]'

# -- ignore-duplicates: DO NOTHING
rest POST "$T" -H 'Prefer: resolution=ignore-duplicates,return=representation' \
    -d '[{"external_id":"c2","company_name":"ignored"},{"external_id":"c4","company_name":"Delta"}]'
check "ignore-duplicates answers 201" "$STATUS" 201
check "ignore-duplicates returns only the inserted row" "$(json '[r["external_id"] for r in j]')" '["c4"]'
check "ignore-duplicates kept the old value" "$(sql "select company_name from gazelle_clients where external_id='c2'")" "Beta 2"

# -- bad rows: the whole request fails, nothing is written
before=$(sql "select count(*)||'/'||string_agg(company_name, ',' order by external_id) from gazelle_clients")
bad_request() {  # NAME BODY STATUS CODE [extra curl args]
    local name=$1 body=$2 status=$3 code=$4
    shift 4
    rest POST "$T" "${UPSERT[@]}" "$@" -d "$body"
    check "$name: status" "$STATUS" "$status"
    check "$name: code" "$(json 'j.get("code")' 2>/dev/null || echo "$BODY")" "$code"
    check "$name: error body has message, details, hint" \
        "$(json 'sorted(j.keys())' 2>/dev/null || echo "$BODY")" '["code", "details", "hint", "message"]'
    check "$name: nothing written" \
        "$(sql "select count(*)||'/'||string_agg(company_name, ',' order by external_id) from gazelle_clients")" "$before"
}
bad_request "null in not-null external_id" \
    '[{"external_id":"c9","company_name":"ok"},{"external_id":null,"company_name":"bad"}]' 400 23502
bad_request "wrong type (date)" \
    '[{"external_id":"c9","company_name":"ok","no_contact_until":null},{"external_id":"c10","company_name":"x","no_contact_until":"abc"}]' 400 22007
rest POST /rest/v1/gazelle_pianos?on_conflict=external_id "${UPSERT[@]}" \
    -d '[{"external_id":"p1","year":1999},{"external_id":"p2","year":"abc"}]'
check "wrong type (bigint): status" "$STATUS" 400
check "wrong type (bigint): code" "$(json 'j["code"]')" 22P02
check "wrong type (bigint): nothing written" "$(sql 'select count(*) from gazelle_pianos')" 0
rest POST /rest/v1/gazelle_pianos "${UPSERT[@]}" -d '[{"external_id":"p3","year":123456789012345678901234567890}]'
check "integer out of range: 400 22003" "$STATUS/$(json 'j["code"]')" 400/22003
bad_request "unknown column" \
    '[{"external_id":"c9","company_name":"ok","shoe_size":42}]' 400 PGRST204
bad_request "differing keys" \
    '[{"external_id":"c9","company_name":"ok"},{"external_id":"c10"}]' 400 PGRST102
bad_request "same count, different keys" \
    '[{"external_id":"c9","company_name":"ok"},{"external_id":"c10","status":"x"}]' 400 PGRST102
bad_request "not JSON" '[{"external_id":"c9",' 400 PGRST102
bad_request "identity column is not writable" '[{"id":99,"external_id":"c9"}]' 400 428C9
rest POST "/rest/v1/gazelle_clients?on_conflict=company_name" "${UPSERT[@]}" -d '[{"external_id":"c9","company_name":"ok"}]'
check "on_conflict without a unique constraint: 42P10" "$STATUS/$(json 'j["code"]')" 400/42P10
rest POST /rest/v1/gazelle_clients -d '{"external_id":"c1","company_name":"dup"}'
check "plain insert of a duplicate: 409 23505" "$STATUS/$(json 'j["code"]')" 409/23505
rest POST /rest/v1/no_such_table -d '{"external_id":"x"}'
check "unknown table: 404 PGRST205" "$STATUS/$(json 'j["code"]')" 404/PGRST205

# -- columns= and missing=default (what supabase-js and postgrest-py send)
rest POST '/rest/v1/gazelle_pianos?columns=%22external_id%22,%22year%22,%22make%22' \
    -H 'Prefer: return=representation, missing=default' \
    -d '[{"external_id":"p5","year":1990},{"external_id":"p6","make":"Steinway"}]'
check "columns= with missing keys: 201" "$STATUS" 201
check "columns= missing keys take NULL/default" "$(json '[(r["external_id"], r["year"], r["make"]) for r in j]')" '[["p5", 1990, null], ["p6", null, "Steinway"]]'

# -- PATCH and DELETE
rest PATCH '/rest/v1/gazelle_clients?external_id=eq.c3' -d '{"status":"inactive"}'
check "PATCH return=minimal: 204" "$STATUS" 204
check "PATCH wrote" "$(sql "select status from gazelle_clients where external_id='c3'")" inactive
rest PATCH '/rest/v1/gazelle_clients?external_id=eq.c3' -d '{"nope":1}'
check "PATCH unknown column: PGRST204" "$STATUS/$(json 'j["code"]')" 400/PGRST204
rest DELETE '/rest/v1/gazelle_clients?external_id=eq.c4' -H 'Prefer: return=representation'
check "DELETE representation: 200" "$STATUS" 200
check "DELETE returned the row" "$(json '[r["external_id"] for r in j]')" '["c4"]'
check "DELETE removed it" "$(sql "select count(*) from gazelle_clients where external_id='c4'")" 0

rest DELETE '/rest/v1/gazelle_clients'
check "DELETE without a filter refused (Supabase's safeupdate): 400 21000" "$STATUS/$(json 'j["code"]')" 400/21000
rest PATCH '/rest/v1/gazelle_clients' -d '{"status":"all"}'
check "PATCH without a filter refused: 400 21000" "$STATUS/$(json 'j["code"]')" 400/21000
check "nothing changed" "$(sql "select count(*) from gazelle_clients where status = 'all'")" 0

# -- the key
auth_case() {  # NAME then curl header args
    local name=$1
    shift
    STATUS=$(curl -sS -o "$TL_TMP/body" -w '%{http_code}' "$@" "$SUPABASE_URL/rest/v1/gazelle_clients")
    BODY=$(cat "$TL_TMP/body")
    check "$name: 401 PGRST301" "$STATUS/$(json 'j["code"]')" 401/PGRST301
}
auth_case "no key"
auth_case "wrong apikey" -H "apikey: wrong" -H "Authorization: Bearer $SUPABASE_SERVICE_ROLE_KEY"
auth_case "wrong bearer" -H "apikey: $SUPABASE_SERVICE_ROLE_KEY" -H "Authorization: Bearer wrong"
auth_case "apikey only" -H "apikey: $SUPABASE_SERVICE_ROLE_KEY"
check "wrong key wrote nothing" "$(sql 'select count(*) from gazelle_clients')" 3

# -- 500 rows in one request, fast
python3 -c 'import json
print(json.dumps([{"external_id": "t%d" % i, "occurred_at": "2024-01-01T00:00:00Z",
  "type": "NOTE", "summary": "s" * 200, "client_id": "c%d" % (i % 50),
  "raw": {"id": "t%d" % i, "n": [1, 2, 3]}} for i in range(500)]))' >"$TL_TMP/bulk.json"
start=$(date +%s%N)
rest POST /rest/v1/gazelle_timeline_entries?on_conflict=external_id "${UPSERT[@]}" --data-binary @"$TL_TMP/bulk.json"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "500-row bulk upsert: 201" "$STATUS" 201
check "500 rows written" "$(sql 'select count(*) from gazelle_timeline_entries')" 500
check "500-row bulk upsert under 2 s (took ${ms} ms)" "$([ "$ms" -lt 2000 ] && echo yes)" yes

finish
