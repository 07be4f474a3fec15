#!/usr/bin/env bash
# status and runs only read (issue 11, defect 14): a 0400 cache in a
# read-only folder works for them; and a SQLite file that is not a gazsync
# cache (a mistyped --db) is refused by every command but init, untouched:
# no table created, mode unchanged.
# As root, permissions do not bind: the read-only part then runs as nobody
# (setpriv), in a folder nobody owns.
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset GAZSYNC_DB GAZSYNC_CONFIG GAZSYNC_NOW SUPABASE_URL SUPABASE_SERVICE_ROLE_KEY \
  GAZELLE_API_URL GAZELLE_ACCESS_TOKEN GAZELLE_API_KEY GAZELLE_REFRESH_TOKEN
cd "$GS_TMP"

as_reader() {
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
  else
    "$@"
  fi
}

# -- a read-only cache
ro="$GS_TMP/ro"
chmod 0711 "$GS_TMP" # nobody must reach ro/
mkdir "$ro"
"$GAZSYNC" --db "$ro/cache.db" init >/dev/null || fail "init failed"
sqlite3 "$ro/cache.db" "insert into sync_runs (command, status, started_at) values ('pull', 'ok', '2026-01-01T00:00:00Z')"
if [ "$(id -u)" = 0 ]; then chown -R 65534:65534 "$ro"; fi
chmod 0400 "$ro/cache.db"
chmod 0500 "$ro"
as_reader "$GAZSYNC" --db "$ro/cache.db" status >"$GS_TMP/status.out" 2>"$GS_TMP/status.err" \
  || fail "status on a 0400 cache in a read-only folder exited $?: $(cat "$GS_TMP/status.err")"
grep -q "^clients" "$GS_TMP/status.out" || fail "status printed no entity: $(cat "$GS_TMP/status.out")"
as_reader "$GAZSYNC" --db "$ro/cache.db" status --json >/dev/null 2>"$GS_TMP/status.err" \
  || fail "status --json on a 0400 cache exited $?: $(cat "$GS_TMP/status.err")"
as_reader "$GAZSYNC" --db "$ro/cache.db" runs >"$GS_TMP/runs.out" 2>"$GS_TMP/runs.err" \
  || fail "runs on a 0400 cache exited $?: $(cat "$GS_TMP/runs.err")"
grep -q "pull" "$GS_TMP/runs.out" || fail "runs does not list the run: $(cat "$GS_TMP/runs.out")"
[ "$(stat -c %a "$ro/cache.db")" = 400 ] || fail "the cache's mode changed to $(stat -c %a "$ro/cache.db")"
chmod 0700 "$ro"
pass "status and runs read a 0400 cache in a read-only folder"

# -- a SQLite file that is not a cache
other="$GS_TMP/other.db"
sqlite3 "$other" "create table invoices (id integer primary key, total real); insert into invoices (total) values (12.5)"
chmod 0644 "$other"
before=$(sha256sum "$other")
for cmd in status runs pull push sync; do
  set +e
  SUPABASE_URL=http://127.0.0.1:9 SUPABASE_SERVICE_ROLE_KEY=k GAZELLE_API_URL=http://127.0.0.1:9/ \
    "$GAZSYNC" --db "$other" $cmd >"$GS_TMP/other.out" 2>"$GS_TMP/other.err"
  code=$?
  set -e
  [ "$code" = 7 ] || fail "$cmd on a database that is not a cache: exit $code, want 7: $(cat "$GS_TMP/other.err")"
  grep -q "not a gazsync cache" "$GS_TMP/other.err" || fail "$cmd: the refusal does not say why: $(cat "$GS_TMP/other.err")"
done
[ "$(sqlite3 "$other" "select group_concat(name) from sqlite_schema")" = invoices ] \
  || fail "tables were created in the other database: $(sqlite3 "$other" "select group_concat(name) from sqlite_schema")"
[ "$(stat -c %a "$other")" = 644 ] || fail "the other database's mode changed to $(stat -c %a "$other")"
[ "$(sha256sum "$other")" = "$before" ] || fail "the other database's bytes changed"
pass "status, runs, pull, push, sync refuse a database that is not a cache (exit 7), untouched"

"$GAZSYNC" --db "$other" init >"$GS_TMP/init.out" 2>&1 || fail "init of the other database failed: $(cat "$GS_TMP/init.out")"
[ "$(sqlite3 "$other" "select count(*) from sync_state")" = 0 ] || fail "init did not make it a cache"
[ "$(sqlite3 "$other" "select total from invoices")" = 12.5 ] || fail "init lost the file's own table"
"$GAZSYNC" --db "$other" status >/dev/null || fail "status after init failed"
pass "init makes it a cache on purpose"
