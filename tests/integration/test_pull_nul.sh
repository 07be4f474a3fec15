#!/usr/bin/env bash
# Issue 11, defect 10: a \u0000 inside a Gazelle string is valid JSON. The
# pull must not refuse the page, and the row must also reach PostgreSQL,
# whose text and jsonb cannot hold NUL: gazsync stores U+FFFD in its place
# (docs/design.md), in the cache and so in the target. A fake Gazelle on
# 127.0.0.1 answers one allPianos page; the push goes through the double to
# a real PostgreSQL.
# Args: BUILD_DIR SOURCE_DIR.
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
BUILD=$1
. "$2/tools/harness/testlib.sh"

# The fake Gazelle: one page, then exits by itself (bounded: 60 s).
cat >"$TL_TMP/gazelle.py" <<'PY'
import http.server, sys, threading
PAGE = (b'{"data":{"allPianos":{"totalCount":2,"nodes":['
        b'{"id":"pia_nul","make":"Ste\\u0000inway","notes":"a\\u0000b",'
        b'"tags":["x\\u0000y"]},{"id":"pia_ok","make":"Kawai"}],'
        b'"pageInfo":{"hasNextPage":false,"endCursor":null}}}}')
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
threading.Timer(60, srv.shutdown).start()
srv.serve_forever()
PY
python3 "$TL_TMP/gazelle.py" >"$TL_TMP/port" &
fake=$!
trap 'kill $fake 2>/dev/null; rm -rf "$TL_TMP"' EXIT
for _ in $(seq 1 100); do [ -s "$TL_TMP/port" ] && break; sleep 0.05; done
export GAZELLE_API_URL="http://127.0.0.1:$(cat "$TL_TMP/port")/graphql/private/"
# The fake host answers one page a request, not packed parts.
export GAZELLE_API_KEY=fake GAZSYNC_MIN_INTERVAL_MS=0 GAZSYNC_PACK=off
db="$TL_TMP/cache.db"

rc=0; "$BUILD/gazsync" --db "$db" pull pianos >"$TL_TMP/pull.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || cat "$TL_TMP/pull.out"
check "the page with NUL is pulled" "$rc" 0
check "cache: NUL became U+FFFD" "$(sqlite3 "$db" "select make || '|' || notes from pianos where id = 'pia_nul'")" "Ste�inway|a�b"
check "cache: raw too" "$(sqlite3 "$db" "select json_extract(raw, '\$.tags[0]') from pianos where id = 'pia_nul'")" "x�y"
rc=0; "$BUILD/gazsync" --db "$db" push pianos >"$TL_TMP/push.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || cat "$TL_TMP/push.out"
check "the push is accepted" "$rc" 0
check "PostgreSQL: the same text" "$(sql "select make || '|' || notes || '|' || (raw->'tags'->>0) from gazelle_pianos where external_id = 'pia_nul'")" "Ste�inway|a�b|x�y"
check "nothing quarantined" "$(sqlite3 "$db" "select count(*) from push_failures")" 0
finish
