# Helpers for the double's integration tests (tests/integration/
# test_double_*.sh), sourced inside `pg-harness.sh run`, so PG_URL,
# SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are set.
#   rest METHOD PATH [curl args...]   -> $STATUS, $BODY, $HEADERS
#   sql "SELECT ..."                  -> stdout (psql -XAt)
#   json EXPR [TEXT]                  -> python expression over j=TEXT|$BODY
#   check NAME ACTUAL EXPECTED        -> counts failures
#   finish                            -> exits 1 when anything failed
FAILURES=0
TL_TMP=$(mktemp -d "${TMPDIR:-/tmp}/gs-testlib.XXXXXX")
trap 'rm -rf "$TL_TMP"' EXIT

rest() {
    local method=$1 path=$2
    shift 2
    local verb=(-X "$method")
    [ "$method" = HEAD ] && verb=(--head)
    STATUS=$(curl -sS "${verb[@]}" -o "$TL_TMP/body" -D "$TL_TMP/headers" \
        -w '%{http_code}' -H "apikey: $SUPABASE_SERVICE_ROLE_KEY" \
        -H "Authorization: Bearer $SUPABASE_SERVICE_ROLE_KEY" \
        -H 'Content-Type: application/json' "$@" "$SUPABASE_URL$path" || true)
    BODY=$(cat "$TL_TMP/body" 2>/dev/null || true)
    HEADERS=$(tr -d '\r' <"$TL_TMP/headers" 2>/dev/null || true)
}

# A header of the last answer (case-insensitive name).
header() {
    printf '%s\n' "$HEADERS" | awk -v n="$1" 'BEGIN{IGNORECASE=1}
        tolower($0) ~ "^" tolower(n) ":" {sub(/^[^:]*:[ \t]*/, ""); print; exit}'
}

sql() {
    PGOPTIONS="-c client_min_messages=warning" \
        "${PG_BIN:+$PG_BIN/}psql" -XAtq -v ON_ERROR_STOP=1 -d "$PG_URL" -c "$1"
}

json() {
    local text=${2-$BODY}
    python3 -c 'import json,sys
j = json.loads(sys.argv[2])
r = eval(sys.argv[1])
print(json.dumps(r, sort_keys=True) if not isinstance(r, str) else r)' "$1" "$text"
}

# Same JSON value, whatever the spacing and key order.
same_json() {
    python3 -c 'import json,sys
sys.exit(0 if json.loads(sys.argv[1]) == json.loads(sys.argv[2]) else 1)' "$1" "$2"
}

check() {
    if [ "$2" == "$3" ]; then
        printf 'ok   %s\n' "$1"
    else
        printf 'FAIL %s\n     got:      %s\n     expected: %s\n' "$1" "$2" "$3"
        FAILURES=$((FAILURES + 1))
    fi
}

check_json() {
    if same_json "$2" "$3"; then
        printf 'ok   %s\n' "$1"
    else
        printf 'FAIL %s\n     got:      %s\n     expected: %s\n' "$1" "$2" "$3"
        FAILURES=$((FAILURES + 1))
    fi
}

finish() {
    if [ "$FAILURES" -ne 0 ]; then
        printf '%d check(s) failed\n' "$FAILURES"
        exit 1
    fi
    printf 'all checks passed\n'
}
