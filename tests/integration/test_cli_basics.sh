#!/usr/bin/env bash
# The gazsync command line without the doubles: help, usage errors and their
# exit codes, init, status --json, config errors naming the variable, and
# secrets never printed nor written to sync_runs. A tiny Python server that
# answers 401 to everything stands in for a Gazelle that rejects the token.
#
# Usage: test_cli_basics.sh BUILD_DIR SOURCE_DIR
set -u

BUILD=$(cd "${1:?build dir}" && pwd)
GAZSYNC="$BUILD/gazsync"
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# A clean environment: nothing from the caller's shell may leak in.
unset GAZSYNC_DB GAZSYNC_CONFIG GAZSYNC_NOW SUPABASE_URL \
    SUPABASE_SERVICE_ROLE_KEY GAZELLE_API_URL GAZELLE_ACCESS_TOKEN \
    GAZELLE_API_KEY GAZELLE_REFRESH_TOKEN GAZELLE_CLIENT_ID \
    GAZELLE_CLIENT_SECRET
cd "$WORK" || exit 1

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# run EXPECTED_CODE ARGS...: runs gazsync, keeping stdout and stderr.
run() {
    local want=$1
    shift
    "$GAZSYNC" "$@" >out.txt 2>err.txt
    local got=$?
    cat out.txt err.txt >>all_output.txt
    if [ "$got" != "$want" ]; then
        fail "gazsync $* exited $got, wanted $want"
        sed 's/^/    /' err.txt >&2
    fi
}

expect_in() { # FILE TEXT
    grep -qF -- "$2" "$1" || fail "'$2' not in $1 ($(head -c 300 "$1"))"
}

[ -x "$GAZSYNC" ] || { echo "FAIL: no $GAZSYNC" >&2; exit 1; }

# --- help ---------------------------------------------------------------
run 0 --help
expect_in out.txt "Usage: gazsync"
expect_in out.txt "Exit codes"
run 0 --version
expect_in out.txt "gazsync "
run 2
expect_in err.txt "Usage: gazsync"
run 0 help pull
expect_in out.txt "--force"

declare -A flags=(
    [init]="--db"
    [pull]="--force --full --db --config --env-file --now --quiet --verbose"
    [push]="--dry-run --batch --db"
    [sync]="--force --full --dry-run --batch"
    [status]="--json --db"
    [runs]="--json --limit"
)
for cmd in init pull push sync status runs; do
    run 0 "$cmd" --help
    for flag in ${flags[$cmd]}; do
        expect_in out.txt "$flag"
    done
    expect_in out.txt "Exit codes"
    run 0 --help "$cmd" # global --help before the command
    expect_in out.txt "Usage: gazsync $cmd"
done

# --- usage errors name what was wrong -----------------------------------
run 2 pull --bogus
expect_in err.txt "'--bogus'"
run 2 --bogus status
expect_in err.txt "'--bogus'"
run 2 status -x
expect_in err.txt "'-x'"
run 2 frobnicate
expect_in err.txt "'frobnicate'"
run 2 pull --batch 5
expect_in err.txt "'--batch'"
run 2 push --batch 0
expect_in err.txt "--batch"
run 2 push --batch 12abc
expect_in err.txt "12abc"
run 2 runs --limit
expect_in err.txt "'--limit'"
run 2 pull --force=clients,unicorns
expect_in err.txt "'unicorns'"
run 2 pull unicorns
expect_in err.txt "'unicorns'"
run 2 status --json=yes
expect_in err.txt "'--json'"
run 2 --now yesterday status
expect_in err.txt "--now"
GAZSYNC_NOW=not-a-time run 3 status
expect_in err.txt "GAZSYNC_NOW"
run 2 init extra
expect_in err.txt "'extra'"

# --- init ---------------------------------------------------------------
run 0 --db "$WORK/c.db" init
expect_in out.txt "$WORK/c.db"
expect_in out.txt "0600"
[ "$(stat -c %a "$WORK/c.db")" = 600 ] || fail "cache mode $(stat -c %a c.db)"
run 0 init --db "$WORK/c.db" # flags after the command too; idempotent
GAZSYNC_DB="$WORK/env.db" run 0 init
[ -f "$WORK/env.db" ] || fail "GAZSYNC_DB not honoured"
run 0 init
[ -f "$WORK/gazsync.db" ] || fail "default ./gazsync.db not created"

# --- status and runs on a fresh cache -----------------------------------
run 0 --db c.db status --json
python3 - out.txt <<'EOF' || fail "status --json is not JSON listing the six entities"
import json, sys
doc = json.load(open(sys.argv[1]))
names = ["users", "clients", "contacts", "pianos", "appointments",
         "timeline_entries"]
if isinstance(doc, dict):
    found = set(doc) | set(doc.get("entities", {}) if isinstance(doc.get("entities"), dict) else [])
else:
    found = {e.get("entity") or e.get("name") for e in doc}
missing = [n for n in names if n not in found and n not in json.dumps(doc)]
sys.exit(1 if missing else 0)
EOF
run 0 --db c.db status
for e in users clients contacts pianos appointments timeline_entries; do
    expect_in out.txt "$e"
done
expect_in out.txt "if-empty"
run 0 --db c.db runs --json
python3 -c 'import json,sys; assert isinstance(json.load(open(sys.argv[1])), list)' out.txt ||
    fail "runs --json is not a JSON array"
run 7 --db "$WORK/missing.db" status
expect_in err.txt "missing.db"
[ -e "$WORK/missing.db" ] && fail "status created a cache"

# --- configuration errors name the variable -----------------------------
run 3 --db c.db push
expect_in err.txt "SUPABASE_URL"
SUPABASE_URL=http://127.0.0.1:9 run 3 --db c.db push
expect_in err.txt "SUPABASE_SERVICE_ROLE_KEY"
run 3 --db c.db sync
expect_in err.txt "SUPABASE_URL"
GAZELLE_API_URL=not-a-url run 3 --db c.db pull
expect_in err.txt "GAZELLE_API_URL"
run 3 --db c.db --env-file "$WORK/nope.env" status
expect_in err.txt "nope.env"
run 3 --db c.db --config "$WORK/nope.ini" status
expect_in err.txt "nope.ini"

# --- secrets never printed nor stored -----------------------------------
# A server that rejects every request with 401, so the pull fails fast on
# auth (no refresh token: nothing to retry) and the push has nothing to send.
cat >server.py <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        body = b'{"errors":[{"message":"unauthorized"}]}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_POST = do_GET = do_PATCH = answer
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
python3 server.py >port.txt &
SERVER_PID=$!
for _ in $(seq 50); do [ -s port.txt ] && break; sleep 0.1; done
PORT=$(head -1 port.txt)
[ -n "$PORT" ] || fail "test server did not start"

export GAZSYNC_MAX_ATTEMPTS=1 # fail fast, no backoff
export GAZELLE_API_URL="http://127.0.0.1:$PORT/graphql/private/"

# No credentials at all: Gazelle says 401, gazsync says what to set.
run 5 --db nocred.db pull
expect_in err.txt "GAZELLE_ACCESS_TOKEN"

export SUPABASE_SERVICE_ROLE_KEY=sekrit-test-key
export GAZELLE_ACCESS_TOKEN=sekrit-gazelle-token
export GAZELLE_CLIENT_SECRET=sekrit-client-secret
export SUPABASE_URL="http://127.0.0.1:$PORT"
export GAZELLE_API_URL="http://127.0.0.1:$PORT/graphql/private/"
: >all_output.txt

run 0 -v --db s.db init
# Nothing is pending; whether the push still sends the run log (and what
# the 401 server then does to the exit code) is the library's business.
"$GAZSYNC" -v --db s.db push >out.txt 2>err.txt
code=$?
case $code in 0 | 5 | 6) ;; *) fail "push on an empty cache: exit $code" ;; esac
cat out.txt err.txt >>all_output.txt
run 5 -v --db s.db pull
expect_in err.txt "gazsync:"
grep -q $'\r' err.txt && fail "progress line written to a non-terminal"
run 5 -v --db s.db sync --dry-run
run 5 --db s.db sync
run 0 -v --db s.db status
run 0 --db s.db status --json
run 0 --db s.db runs
run 0 --db s.db runs --json
expect_in out.txt '"sync"'
expect_in out.txt '"failed"'
run 5 -q --db s.db pull
[ -s out.txt ] && fail "-q printed to stdout: $(cat out.txt)"
[ -s err.txt ] || fail "-q hid the error"

# The same through a .env file.
unset SUPABASE_SERVICE_ROLE_KEY GAZELLE_ACCESS_TOKEN GAZELLE_CLIENT_SECRET
printf 'SUPABASE_SERVICE_ROLE_KEY=sekrit-test-key\nGAZELLE_ACCESS_TOKEN=sekrit-gazelle-token\n' >creds.env
run 5 -v --db s.db --env-file creds.env sync

if grep -q sekrit all_output.txt; then
    fail "a secret was printed:"
    grep sekrit all_output.txt >&2
fi
if sqlite3 s.db 'SELECT * FROM sync_runs' | grep -q sekrit; then
    fail "a secret is in sync_runs"
fi
n=$(sqlite3 s.db "SELECT count(*) FROM sync_runs WHERE command IN ('pull','sync')")
[ "$n" -ge 4 ] || fail "expected the pulls and syncs in sync_runs, got $n"
if sqlite3 s.db .dump | grep -q sekrit; then
    fail "a secret is in the cache"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "ok"
