#!/usr/bin/env bash
# Fault injection fires exactly where asked (nth, every, count, method and
# table matching; status with Retry-After and body, delay, dropped
# connection), the body limit answers 413, and the counters count.
# Args: BUILD_DIR SOURCE_DIR.
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
GS_DOUBLE_MAX_BODY=65536 pg_harness "$1" "$2" "${3:-}"
. "$2/tools/harness/testlib.sh"

faults() {  # JSON
    local code
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -d "$1" "$SUPABASE_URL/__double/faults")
    [ "$code" = 201 ] || { echo "could not set faults: $code"; exit 1; }
}
clear_faults() { curl -sS -o /dev/null -X DELETE "$SUPABASE_URL/__double/faults"; }
upsert() {  # TABLE EXTERNAL_ID
    rest POST "/rest/v1/$1?on_conflict=external_id" \
        -H 'Prefer: resolution=merge-duplicates,return=minimal' -d "[{\"external_id\":\"$2\"}]"
}
statuses() {  # N then a command; prints the N statuses
    local n=$1 out=()
    shift
    for _ in $(seq "$n"); do "$@"; out+=("$STATUS"); done
    echo "${out[*]}"
}

# -- nth: only the 3rd matching request, only that method and table
faults '{"rules":[{"method":"POST","table":"gazelle_clients","nth":3,"action":"status","status":503}]}'
seq_out=()
for i in 1 2 3 4 5; do
    upsert gazelle_users "u$i"; rest GET /rest/v1/gazelle_clients
    upsert gazelle_clients "c$i"; seq_out+=("$STATUS")
done
check "nth=3 fires on the 3rd POST to gazelle_clients only" "${seq_out[*]}" "201 201 503 201 201"
check "other tables and methods untouched" "$(sql 'select count(*) from gazelle_users')" 5
check "the faulted write wrote nothing" "$(sql "select string_agg(external_id, ',' order by external_id) from gazelle_clients")" "c1,c2,c4,c5"
clear_faults

# -- every with count; "*" table
faults '{"rules":[{"method":"GET","table":"*","every":2,"count":2,"action":"status","status":502}]}'
check "every=2 count=2" "$(statuses 7 rest GET /rest/v1/gazelle_pianos)" "200 502 200 502 200 200 200"
clear_faults

# -- every status a pusher must handle, with Retry-After and a custom body
for code in 408 413 429 500 502 503 504; do
    faults "{\"rules\":[{\"method\":\"POST\",\"count\":1,\"action\":\"status\",\"status\":$code,\"retry_after\":7}]}"
    upsert gazelle_pianos "p$code"
    first=$STATUS retry=$(header Retry-After)
    upsert gazelle_pianos "p$code"
    check "status $code fires once, then normal" "$first $retry $STATUS" "$code 7 201"
    clear_faults
done
faults '{"rules":[{"action":"status","status":503,"count":1,"body":{"message":"upstream busy"}}]}'
rest GET /rest/v1/gazelle_pianos
check "custom body" "$STATUS $(json 'j["message"]')" "503 upstream busy"
check "no Retry-After unless asked" "$(header Retry-After)" ""
clear_faults

# -- delay
faults '{"rules":[{"method":"GET","table":"gazelle_users","action":"delay","delay_ms":700,"count":1}]}'
t0=$(date +%s%N); rest GET /rest/v1/gazelle_users; t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
check "delay holds the answer >= 700 ms (took $ms)" "$STATUS $([ "$ms" -ge 700 ] && echo late)" "200 late"
t0=$(date +%s%N); rest GET /rest/v1/gazelle_users; t1=$(date +%s%N)
check "delay fired once" "$([ $(( (t1 - t0) / 1000000 )) -lt 500 ] && echo fast)" fast
clear_faults

# -- dropped connection
faults '{"rules":[{"method":"POST","table":"gazelle_pianos","nth":1,"action":"close"}]}'
set +e
curl -sS -o /dev/null -X POST -H "apikey: $SUPABASE_SERVICE_ROLE_KEY" \
    -H "Authorization: Bearer $SUPABASE_SERVICE_ROLE_KEY" -H 'Content-Type: application/json' \
    -d '[{"external_id":"dropped"}]' "$SUPABASE_URL/rest/v1/gazelle_pianos" 2>/dev/null
rc=$?
set -e
check "close: empty reply (curl 52)" "$rc" 52
check "close: nothing written" "$(sql "select count(*) from gazelle_pianos where external_id='dropped'")" 0
upsert gazelle_pianos after-close
check "close fired once" "$STATUS" 201
clear_faults

# -- bad rules are refused
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -d '{"rules":[{"action":"explode"}]}' "$SUPABASE_URL/__double/faults")
check "unknown action refused" "$code" 400
check "refused rule not added" "$(curl -sS "$SUPABASE_URL/__double/faults")" '{"rules":[]}'

# -- body limit (GS_DOUBLE_MAX_BODY=65536 above)
python3 -c 'import json; print(json.dumps([{"external_id": "big%d" % i, "notes": "n" * 500} for i in range(200)]))' >"$TL_TMP/big.json"
rest POST /rest/v1/gazelle_pianos --data-binary @"$TL_TMP/big.json"
check "over the body limit: 413" "$STATUS" 413
check "413 wrote nothing" "$(sql "select count(*) from gazelle_pianos where external_id like 'big%'")" 0

# -- stats
curl -sS -X POST "$SUPABASE_URL/__double/stats/reset" >/dev/null
upsert gazelle_clients s1
rest POST "/rest/v1/gazelle_clients?on_conflict=external_id" -H 'Prefer: resolution=merge-duplicates' \
    -d '[{"external_id":"s2"},{"external_id":"s3"},{"external_id":"s1"}]'
rest GET /rest/v1/gazelle_clients
rest PATCH "/rest/v1/gazelle_users?external_id=in.(u1,u2)" -d '{"access_level":"TECHNICIAN"}'
rest GET /rest/v1/nope
STATUS=$(curl -sS -o /dev/null -w '%{http_code}' "$SUPABASE_URL/rest/v1/gazelle_clients")
stats=$(curl -sS "$SUPABASE_URL/__double/stats")
check "stats: requests" "$(json 'j["requests"]' "$stats")" 6
check "stats: by_method" "$(json 'j["by_method"]' "$stats")" '{"GET": 3, "PATCH": 1, "POST": 2}'
check "stats: by_status" "$(json 'j["by_status"]' "$stats")" '{"200": 1, "201": 2, "204": 1, "401": 1, "404": 1}'
check "stats: rows_written" "$(json 'j["rows_written"]' "$stats")" 6
check "stats: by_table" "$(json 'j["by_table"]' "$stats")" '{"gazelle_clients": 4, "gazelle_users": 2, "nope": 0}'
check "stats: control endpoints not counted" "$(json 'j["requests"]' "$(curl -sS "$SUPABASE_URL/__double/stats")")" 6

finish
