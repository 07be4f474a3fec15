#!/usr/bin/env bash
# A smoke test of the command line's pull path against gazelle-sim: the
# per-entity lines, the skip line for users, --force, -q, status and runs as
# JSON, the run log, and an access token that expires mid-pull (refreshed
# tokens saved in the cache, never printed). The pull's correctness against
# the simulator's dump is test_pull_sim.sh's job.
#
# Usage: test_cli_sim.sh BUILD_DIR SOURCE_DIR
set -u

BUILD=$(cd "${1:?build dir}" && pwd)
GAZSYNC="$BUILD/gazsync"
SIM="$BUILD/tools/gazelle-sim/gazelle-sim"
WORK=$(mktemp -d)
SIM_PID=
cleanup() {
    if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
unset GAZSYNC_DB GAZSYNC_CONFIG GAZSYNC_NOW SUPABASE_URL \
    SUPABASE_SERVICE_ROLE_KEY GAZELLE_API_URL GAZELLE_ACCESS_TOKEN \
    GAZELLE_API_KEY GAZELLE_REFRESH_TOKEN GAZELLE_CLIENT_ID \
    GAZELLE_CLIENT_SECRET
cd "$WORK" || exit 1
[ -x "$GAZSYNC" ] || { echo "FAIL: no $GAZSYNC" >&2; exit 1; }
[ -x "$SIM" ] || { echo "FAIL: no $SIM" >&2; exit 1; }

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
expect_in() { # FILE TEXT
    grep -qE -- "$2" "$1" || fail "/$2/ not in $1: $(head -c 400 "$1")"
}

# A small business; the access token answers 5 requests, then 401.
"$SIM" --port 0 --seed 3 --users 4 --clients 120 --pianos 150 --events 300 \
    --timeline 500 --token sim-access-sekrit --refresh-token sim-refresh-sekrit \
    --client-id cid --client-secret sim-client-sekrit \
    --token-ttl-requests 5 >sim.out 2>sim.err &
SIM_PID=$!
for _ in $(seq 100); do [ -s sim.out ] && break; sleep 0.05; done
SIM_URL=$(head -1 sim.out)
case "$SIM_URL" in http://*) ;; *) echo "FAIL: sim: $(cat sim.err)" >&2; exit 1 ;; esac
sim_now() {
    curl -fsS "$SIM_URL/__sim/stats" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["now"])'
}

export GAZELLE_API_URL="$SIM_URL/graphql/private/"
export GAZELLE_ACCESS_TOKEN=sim-access-sekrit
export GAZELLE_REFRESH_TOKEN=sim-refresh-sekrit
export GAZELLE_CLIENT_ID=cid GAZELLE_CLIENT_SECRET=sim-client-sekrit
# One page a request: the token expires after 5 of them.
export GAZSYNC_MIN_INTERVAL_MS=0 GAZSYNC_BACKOFF_BASE_MS=20 GAZSYNC_PACK=off
export GAZSYNC_DB="$WORK/c.db"
NOW=$(sim_now)
: >all.txt
gs() { # EXPECTED_CODE ARGS...
    local want=$1
    shift
    "$GAZSYNC" --now "$NOW" "$@" >out.txt 2>err.txt
    local got=$?
    cat out.txt err.txt >>all.txt
    [ "$got" = "$want" ] || {
        fail "gazsync $* exited $got, wanted $want"
        sed 's/^/    /' err.txt out.txt >&2
    }
}

# First pull: every entity pulled; the token expired on the way (5
# requests) and was refreshed.
gs 0 pull
for e in users clients pianos appointments timeline_entries; do
    expect_in out.txt "^$e +pulled +[0-9]+ pages?, [0-9]+ requests?, [0-9]+ rows seen"
done
expect_in out.txt "^pull total +6 pulled, 0 skipped, 0 failed"
grep -q $'\r' err.txt && fail "progress written to a non-terminal"
saved=$(grep -c "^GAZELLE_\(ACCESS\|REFRESH\)_TOKEN=" c.db.tokens)
[ "$saved" = 2 ] || fail "refreshed tokens not saved in c.db.tokens ($saved)"

# Second pull: users skipped, with the way to force them.
gs 0 pull
expect_in out.txt "^users +skipped +.*--force"
gs 0 pull --force users
expect_in out.txt "^users +pulled"
[ "$(grep -cE '^[a-z_]+ +pulled' out.txt)" = 1 ] || fail "--force users pulled more than users"
gs 0 -q pull
[ -s out.txt ] && fail "-q printed: $(cat out.txt)"

gs 0 status
expect_in out.txt "skip: table has 4 rows"
gs 0 status --json
python3 -c '
import json, sys
d = json.load(open("out.txt"))
assert all(n in json.dumps(d) for n in ["users", "clients", "contacts",
    "pianos", "appointments", "timeline_entries"])' || fail "status --json"
gs 0 runs --json
python3 -c '
import json
runs = json.load(open("out.txt"))
assert len(runs) == 4, len(runs)
assert all(r["command"] == "pull" and r["status"] == "ok" for r in runs), runs
assert runs[-1]["gazelle_requests"] > 5' || fail "runs --json: $(head -c 600 out.txt)"
gs 0 runs --limit 2
[ "$(grep -c ' pull ' out.txt)" = 2 ] || fail "runs --limit 2: $(cat out.txt)"

# Gazelle down: a network error, exit 4, the run recorded as failed.
kill "$SIM_PID"
wait "$SIM_PID" 2>/dev/null
SIM_PID=
GAZSYNC_MAX_ATTEMPTS=1 gs 4 pull --force=clients
status=$(sqlite3 c.db "SELECT status FROM sync_runs ORDER BY id DESC LIMIT 1")
[ "$status" = failed ] || fail "failed pull recorded as '$status'"

if grep -q sekrit all.txt; then fail "a secret was printed"; fi
if sqlite3 c.db 'SELECT * FROM sync_runs' | grep -q sekrit; then
    fail "a secret is in sync_runs"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "ok"
