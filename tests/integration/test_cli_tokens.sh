#!/usr/bin/env bash
# Refreshed Gazelle tokens: saved in a token file of their own (c.db.tokens,
# mode 0600, never in the cache: issue 11, defect 19), preferred over the
# environment's on the next run (Gazelle rotates refresh tokens, so the
# environment's pair is spent after one refresh), unless the environment has
# since been given new credentials. Tokens an older gazsync left in the
# cache's meta move to the file and are erased from the cache's bytes. A small Python stand-in for Gazelle
# rotates refresh tokens the way Gazelle does and counts refreshes; the real
# simulator's tests cover the queries themselves.
#
# Usage: test_cli_tokens.sh BUILD_DIR SOURCE_DIR
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
unset GAZSYNC_DB GAZSYNC_CONFIG GAZSYNC_NOW SUPABASE_URL \
    SUPABASE_SERVICE_ROLE_KEY GAZELLE_API_URL GAZELLE_ACCESS_TOKEN \
    GAZELLE_API_KEY GAZELLE_REFRESH_TOKEN GAZELLE_CLIENT_ID \
    GAZELLE_CLIENT_SECRET
cd "$WORK" || exit 1
[ -x "$GAZSYNC" ] || { echo "FAIL: no $GAZSYNC" >&2; exit 1; }

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

cat >gazelle.py <<'EOF'
# Every query answers empty connections for the root fields it names. Access
# tokens in `valid` work; a refresh token works once and is replaced.
import http.server, json, urllib.parse
valid = {"acc-fresh-777"}                 # what a re-authorisation hands out
refresh = {"ref-env-111", "ref-fresh-777"}
state = {"n": 0, "refreshes": 0}
used = open("tokens_used.log", "a")
ROOTS = ["allUsers", "allClients", "allPianos", "allEventsBatched",
         "allTimelineEntries"]

class H(http.server.BaseHTTPRequestHandler):
    def send(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/developer/oauth/token"):
            form = urllib.parse.parse_qs(raw.decode())
            token = (form.get("refresh_token") or [""])[0]
            if token not in refresh:
                return self.send(400, {"error": "invalid_grant"})
            refresh.discard(token)
            state["n"] += 1
            state["refreshes"] += 1
            acc, ref = "acc-new-%d" % state["n"], "ref-new-%d" % state["n"]
            valid.add(acc)
            refresh.add(ref)
            open("refreshes.txt", "w").write(str(state["refreshes"]))
            return self.send(200, {"access_token": acc, "refresh_token": ref,
                                   "token_type": "Bearer"})
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        used.write(token + "\n")
        used.flush()
        if token not in valid:
            return self.send(401, {"errors": [{"message": "unauthorized"}]})
        query = json.loads(raw).get("query", "")
        data = {r: {"nodes": [], "pageInfo": {"hasNextPage": False,
                                                "endCursor": None}}
                for r in ROOTS if r in query}
        self.send(200, {"data": data})

    def log_message(self, *a):
        pass

s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
python3 gazelle.py >port.txt &
SERVER_PID=$!
for _ in $(seq 50); do [ -s port.txt ] && break; sleep 0.1; done
PORT=$(head -1 port.txt)

export GAZELLE_API_URL="http://127.0.0.1:$PORT/graphql/private/"
export GAZELLE_CLIENT_ID=client-id GAZELLE_CLIENT_SECRET=sekrit-client
export GAZELLE_ACCESS_TOKEN=acc-env-expired GAZELLE_REFRESH_TOKEN=ref-env-111
# The fake host answers one page a request, not packed parts.
export GAZSYNC_MIN_INTERVAL_MS=0 GAZSYNC_MAX_ATTEMPTS=1 GAZSYNC_PACK=off
: >all_output.txt

pull() { # EXPECTED_CODE ARGS...
    local want=$1
    shift
    "$GAZSYNC" --db c.db -v pull --force "$@" >out.txt 2>err.txt
    local got=$?
    cat out.txt err.txt >>all_output.txt
    [ "$got" = "$want" ] || {
        fail "pull exited $got, wanted $want"
        sed 's/^/    /' err.txt >&2
    }
}
refreshes() { cat refreshes.txt 2>/dev/null || echo 0; }

# 1. The environment's access token has expired: one refresh, saved.
pull 0
[ "$(refreshes)" = 1 ] || fail "expected 1 refresh, saw $(refreshes)"
grep -qx "GAZELLE_ACCESS_TOKEN='acc-new-1'" c.db.tokens || fail "refreshed access token not saved in c.db.tokens"
grep -qx "GAZELLE_REFRESH_TOKEN='ref-new-1'" c.db.tokens || fail "refreshed refresh token not saved in c.db.tokens"
[ "$(stat -c %a c.db.tokens)" = 600 ] || fail "the token file is mode $(stat -c %a c.db.tokens), want 600"
# The cache itself holds no token: it can be cached in CI.
[ "$(sqlite3 c.db "SELECT count(*) FROM meta WHERE value LIKE '%acc-%' OR value LIKE '%ref-%'")" = 0 ] \
    || fail "a token is in the cache's meta"
grep -qa 'acc-new\|ref-new' c.db c.db-wal 2>/dev/null && fail "a token is in the cache file's bytes"

# 2. Same environment: the saved tokens are used; no refresh, no 401. Had
#    the environment's pair been used, the spent refresh token would fail.
: >tokens_used.log
pull 0
[ "$(refreshes)" = 1 ] || fail "second run refreshed again ($(refreshes))"
grep -qv '^acc-new-1$' tokens_used.log && fail "second run used another token: $(sort -u tokens_used.log)"
grep -q "saved in c.db.tokens" err.txt || fail "-v does not say the saved tokens are used"

# 2b. A token file readable by others is used, with a warning naming it.
chmod 644 c.db.tokens
pull 0
grep -q "warning: token file c.db.tokens is readable by others.*chmod 600 c.db.tokens" err.txt \
    || fail "no warning for a 0644 token file: $(cat err.txt)"
chmod 600 c.db.tokens
pull 0
grep -q "warning" err.txt && fail "a warning for a 0600 token file: $(cat err.txt)"

# 2c. A cache from gazsync 0.1.0 kept the tokens in meta: the next run uses
#     them (no refresh), moves them to the token file, erases them from the
#     cache's bytes.
mv c.db.tokens moved-aside.tokens
sqlite3 c.db "INSERT OR REPLACE INTO meta (key, value) VALUES
    ('gazelle.access_token', 'acc-new-1'), ('gazelle.refresh_token', 'ref-new-1'),
    ('gazelle.env_fingerprint', '$(sed -n "s/^GAZSYNC_ENV_FINGERPRINT='\(.*\)'$/\1/p" moved-aside.tokens)')"
: >tokens_used.log
pull 0
[ "$(refreshes)" = 1 ] || fail "the migrated tokens were not used: refreshed again ($(refreshes))"
grep -qv '^acc-new-1$' tokens_used.log && fail "after migration another token was used: $(sort -u tokens_used.log)"
grep -qx "GAZELLE_REFRESH_TOKEN='ref-new-1'" c.db.tokens || fail "the tokens of meta did not move to c.db.tokens"
[ "$(sqlite3 c.db "SELECT count(value) FROM meta WHERE key LIKE 'gazelle.%'")" = 0 ] \
    || fail "the tokens are still in the cache's meta"
grep -qa 'acc-new-1\|ref-new-1' c.db c.db-wal 2>/dev/null && fail "the migrated tokens remain in the cache file's bytes"

# 2d. GAZSYNC_TOKEN_FILE names another place: the tokens there are used,
#     and no c.db.tokens appears.
mv c.db.tokens elsewhere.tokens
: >tokens_used.log
GAZSYNC_TOKEN_FILE=$WORK/elsewhere.tokens pull 0
[ "$(refreshes)" = 1 ] || fail "the tokens of GAZSYNC_TOKEN_FILE were not used (refreshes: $(refreshes))"
grep -qv '^acc-new-1$' tokens_used.log && fail "GAZSYNC_TOKEN_FILE: another token was used: $(sort -u tokens_used.log)"
[ -e c.db.tokens ] && fail "c.db.tokens was written although GAZSYNC_TOKEN_FILE names another file"
mv elsewhere.tokens c.db.tokens

# 3. The user re-authorised: new credentials in the environment win.
export GAZELLE_ACCESS_TOKEN=acc-fresh-777 GAZELLE_REFRESH_TOKEN=ref-fresh-777
: >tokens_used.log
pull 0
grep -q '^acc-fresh-777$' tokens_used.log || fail "new environment token not used: $(sort -u tokens_used.log)"
grep -q "credentials changed" err.txt || fail "-v does not say the environment's changed"

# 4. A refresh token that no longer works: exit 5 (auth).
export GAZELLE_ACCESS_TOKEN=acc-bogus GAZELLE_REFRESH_TOKEN=ref-bogus
pull 5

# No token of any kind was printed or logged in sync_runs.
if grep -E 'acc-|ref-|sekrit' all_output.txt; then
    fail "a token was printed"
fi
if sqlite3 c.db 'SELECT * FROM sync_runs' | grep -E 'acc-|ref-|sekrit'; then
    fail "a token is in sync_runs"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "ok"
