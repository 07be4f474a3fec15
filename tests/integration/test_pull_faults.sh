#!/usr/bin/env bash
# gazsync pull against gazelle-sim with fault rules (POST /__sim/faults):
# each fault is either recovered (the cache then equals the dump) or reported
# with a clear error naming the entity, the page and the cause, the run
# recorded as partial or failed, and nothing already stored lost. Every case
# checks the simulator's own stats (byStatus, faultsFired), so a fault that
# did not fire cannot pass for a fault that was recovered.
source "$(dirname "$0")/lib.sh" "$1" "$2"
export GAZSYNC_BACKOFF_BASE_MS=10
unset_pull_env

# A small business, several pages per entity (pages of 100). No timeline
# corrections, so that `since` sees every change and the cache can equal the
# dump after a simulated day without a forced re-read.
SIM_FLAGS=(--seed 21 --users 6 --clients 320 --pianos 350 --events 700
  --timeline 900 --hires-per-year 0 --timeline-edits-per-day 0)
# One page a request (pack = off): the rules count requests per field.
cat >"$GS_TMP/gazsync.ini" <<INI
[gazsync]
page_size = 100
pack = off
[entity.pianos]
page_size = 100
[entity.appointments]
policy = window=-60d..+200d
INI

# gs DB ARGS...: gazsync on cache DB, stdout and stderr kept apart.
gs() {
  local db=$1; shift
  "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$(sim_now)" "$@"
}
# run_gs NAME DB ARGS...: runs gazsync, keeps NAME.out / NAME.err, sets RC.
run_gs() {
  local name=$1; shift
  set +e
  gs "$@" >"$GS_TMP/$name.out" 2>"$GS_TMP/$name.err"
  RC=$?
  set -e
}
faults() { sim_post /__sim/faults "$1" >/dev/null; }
clear_faults() { curl -fsS -X DELETE "$SIM_URL/__sim/faults" >/dev/null; }
# by_status CODE: answers of that HTTP status since the last stats reset
# ("0" is a dropped connection).
by_status() {
  sim_get /__sim/stats | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["byStatus"].get(sys.argv[1], 0))' "$1"
}
faults_fired() {
  sim_get /__sim/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["faultsFired"])'
}
q() { sqlite3 "$1" "$2"; }
# digest DB TABLE: every row's id, hash, change_seq and deletion, hashed.
digest() {
  sqlite3 "$1" "select id, row_hash, change_seq, deleted_at from $2 order by id" | md5sum
}
last_run() { q "$1" "select $2 from sync_runs order by id desc limit 1"; }
dump_count() {
  python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[sys.argv[2]]))' \
    "$GS_TMP/dump.json" "$1"
}
# Each case starts from stats and faults of its own.
fresh_case() { clear_faults; sim_post /__sim/stats/reset >/dev/null; }
show() { echo "--- stdout"; cat "$GS_TMP/$1.out"; echo "--- stderr"; cat "$GS_TMP/$1.err"; }

start_sim "${SIM_FLAGS[@]}"

# ---- 429 with Retry-After on allClients: waited out, then recovered -----
fresh_case
faults '{"rules":[{"field":"allClients","nth":2,"count":2,"action":"status","status":429,"retry_after":1}]}'
t0=$(date +%s%N)
run_gs r429 "$GS_TMP/c429.db" pull
t1=$(date +%s%N)
[ "$RC" = 0 ] || { show r429; fail "429: pull exited $RC"; }
[ "$(by_status 429)" = 2 ] || fail "429: the simulator answered $(by_status 429) 429s, want 2"
# Two Retry-After: 1 answers in a row: at least 2 s waited, although the
# backoff base is 10 ms. (Seconds-granularity Retry-After; allow 1.9 s.)
waited_ms=$(( (t1 - t0) / 1000000 ))
[ "$waited_ms" -ge 1900 ] || fail "429: the pull took ${waited_ms} ms; Retry-After (2 x 1 s) was not honoured"
assert_cache_equals_dump "$GS_TMP/c429.db"
[ "$(last_run "$GS_TMP/c429.db" status)" = ok ] || fail "429: run status $(last_run "$GS_TMP/c429.db" status)"
pass "429 with Retry-After on allClients: honoured (${waited_ms} ms), recovered, cache equals dump"

# ---- a burst of 500/502/503 on several fields: recovered ---------------
fresh_case
faults '{"rules":[
  {"field":"allUsers","nth":1,"action":"status","status":503},
  {"field":"allClients","nth":1,"count":2,"action":"status","status":500},
  {"field":"allPianos","nth":2,"count":3,"action":"status","status":502},
  {"field":"allEventsBatched","nth":3,"count":2,"action":"status","status":503},
  {"field":"allTimelineEntries","nth":1,"count":4,"action":"status","status":500}]}'
run_gs r5xx "$GS_TMP/c5xx.db" pull
[ "$RC" = 0 ] || { show r5xx; fail "5xx burst: pull exited $RC"; }
[ "$(by_status 500)" = 6 ] || fail "5xx burst: $(by_status 500) answers 500, want 6"
[ "$(by_status 502)" = 3 ] || fail "5xx burst: $(by_status 502) answers 502, want 3"
[ "$(by_status 503)" = 3 ] || fail "5xx burst: $(by_status 503) answers 503, want 3"
assert_cache_equals_dump "$GS_TMP/c5xx.db"
pass "a burst of 500/502/503 (12 answers, up to 4 in a row): recovered, cache equals dump"

# ---- a closed connection: retried -------------------------------------
fresh_case
faults '{"rules":[{"field":"*","every":4,"count":3,"action":"close"}]}'
run_gs rclose "$GS_TMP/cclose.db" pull
[ "$RC" = 0 ] || { show rclose; fail "close: pull exited $RC"; }
[ "$(by_status 0)" = 3 ] || fail "close: $(by_status 0) dropped connections, want 3"
assert_cache_equals_dump "$GS_TMP/cclose.db"
pass "connections closed without an answer (3): retried, cache equals dump"

# ---- a truncated body: curl sees the short read and the request is retried
fresh_case
faults '{"rules":[{"field":"allPianos","nth":2,"action":"truncate","keep_bytes":100},
                  {"field":"allTimelineEntries","nth":1,"action":"truncate"}]}'
run_gs rtrunc "$GS_TMP/ctrunc.db" pull
[ "$(faults_fired)" = 2 ] || fail "truncate: $(faults_fired) faults fired, want 2"
if [ "$RC" = 0 ]; then
  assert_cache_equals_dump "$GS_TMP/ctrunc.db"
  pass "truncated bodies (2): retried, cache equals dump"
else
  # The alternative the issue allows: a clear error naming the page.
  grep -Eq "(pianos|timeline_entries) page [0-9]+" "$GS_TMP/rtrunc.err" \
    || { show rtrunc; fail "truncate: exit $RC without naming the page"; }
  pass "truncated bodies: reported clearly (exit $RC)"
fi

# ---- a GraphQL error in a 200: the entity fails, the others are pulled --
db="$GS_TMP/cgql.db"
fresh_case
faults '{"rules":[{"field":"allPianos","nth":2,"action":"graphql_error"}]}'
run_gs rgql "$db" pull
[ "$RC" = 6 ] || { show rgql; fail "graphql error: exit $RC, want 6 (partial)"; }
[ "$(faults_fired)" = 1 ] || fail "graphql error: $(faults_fired) faults fired, want 1"
# A 200 with errors is not retried: exactly 2 pianos requests were made.
[ "$(sim_requests allPianos)" = 2 ] || fail "graphql error: $(sim_requests allPianos) pianos requests, want 2 (no retry of a GraphQL error)"
# The message (on the entity's line, or after the table) names the entity,
# the page and the cause.
cat "$GS_TMP/rgql.out" "$GS_TMP/rgql.err" >"$GS_TMP/rgql.all"
grep -q "pianos page 2: GraphQL error" "$GS_TMP/rgql.all" \
  || { show rgql; fail "graphql error: the output does not say 'pianos page 2: GraphQL error'"; }
grep -q "partly failed" "$GS_TMP/rgql.err" || { show rgql; fail "graphql error: stderr does not say the pull partly failed"; }
[ "$(last_run "$db" status)" = partial ] || fail "graphql error: sync_runs status '$(last_run "$db" status)', want partial"
last_run "$db" error | grep -q "pianos page 2" || fail "graphql error: sync_runs.error '$(last_run "$db" error)' does not name pianos page 2"
[ "$(q "$db" "select status from sync_state where entity='pianos'")" = failed ] \
  || fail "graphql error: sync_state pianos status '$(q "$db" "select status from sync_state where entity='pianos'")'"
q "$db" "select last_error from sync_state where entity='pianos'" | grep -q "pianos page 2" \
  || fail "graphql error: sync_state.last_error does not name pianos page 2"
# The high-water mark of the failed entity did not move (it never had one).
[ -z "$(q "$db" "select coalesce(high_water,'') from sync_state where entity='pianos'")" ] \
  || fail "graphql error: pianos high_water advanced although its pull failed"
# Page 1 of pianos was stored and kept; page 2 was not.
[ "$(q "$db" "select count(*) from pianos")" = 100 ] \
  || fail "graphql error: $(q "$db" "select count(*) from pianos") pianos stored, want page 1's 100"
sim_get /__sim/dump >"$GS_TMP/dump.json"
for e in users:users clients:clients appointments:events timeline_entries:timeline; do
  table=${e%%:*}; key=${e#*:}
  [ "$(q "$db" "select count(*) from $table")" = "$(dump_count "$key")" ] \
    || fail "graphql error: $table has $(q "$db" "select count(*) from $table") rows, dump $(dump_count "$key")"
  [ "$(q "$db" "select status from sync_state where entity='$table'")" = ok ] \
    || fail "graphql error: $table status is not ok"
done
# The next plain pull, faults cleared, repairs the failed entity.
fresh_case
run_gs rgql2 "$db" pull
[ "$RC" = 0 ] || { show rgql2; fail "after graphql error: the next pull exited $RC"; }
# It went on from the checkpoint of page 1: pages 2..4 of 350 pianos.
[ "$(sim_requests allPianos)" = 3 ] \
  || fail "after graphql error: $(sim_requests allPianos) pianos requests, want 3 (resumed after page 1)"
assert_cache_equals_dump "$db"
[ "$(q "$db" "select status||'|'||coalesce(last_error,'') from sync_state where entity='pianos'")" = "ok|" ] \
  || fail "after graphql error: pianos state not cleared"
pass "GraphQL error on pianos page 2: exit 6, partial run naming the page, others pulled; next pull repairs"

# ---- persistent 500s past max attempts: clear error, nothing lost -------
# On a mirrored cache, a day later: clients fail on every attempt of page 1.
db="$GS_TMP/c500.db"
fresh_case
run_gs r500a "$db" pull
[ "$RC" = 0 ] || { show r500a; fail "persistent 500: the mirror pull exited $RC"; }
sim_post "/__sim/advance?days=1" >/dev/null
clients_before=$(digest "$db" clients)
contacts_before=$(digest "$db" contacts)
mark_before=$(q "$db" "select high_water from sync_state where entity='clients'")
fresh_case
faults '{"rules":[{"field":"allClients","every":1,"action":"status","status":500}]}'
GAZSYNC_MAX_ATTEMPTS=3 run_gs r500 "$db" pull
rc500=$RC
[ "$RC" = 6 ] || [ "$RC" = 4 ] || { show r500; fail "persistent 500: exit $RC, want 4 or 6"; }
[ "$(by_status 500)" = 3 ] || fail "persistent 500: $(by_status 500) answers 500, want 3 (max attempts)"
cat "$GS_TMP/r500.out" "$GS_TMP/r500.err" >"$GS_TMP/r500.all"
grep -q "clients page 1.*HTTP 500" "$GS_TMP/r500.all" \
  || { show r500; fail "persistent 500: the output does not name 'clients page 1' and HTTP 500"; }
last_run "$db" error | grep -q "clients page 1.*HTTP 500" \
  || fail "persistent 500: sync_runs.error '$(last_run "$db" error)'"
[ "$(last_run "$db" status)" = partial ] || fail "persistent 500: run status '$(last_run "$db" status)', want partial"
[ "$(digest "$db" clients)" = "$clients_before" ] \
  || fail "persistent 500: the clients table changed"
[ "$(digest "$db" contacts)" = "$contacts_before" ] \
  || fail "persistent 500: the contacts table changed"
[ "$(q "$db" "select count(*) from clients where deleted_at is not null")" = 0 ] \
  || fail "persistent 500: clients marked deleted"
[ "$(q "$db" "select high_water from sync_state where entity='clients'")" = "$mark_before" ] \
  || fail "persistent 500: the clients high-water mark moved"
[ "$(q "$db" "select status from sync_state where entity='clients'")" = failed ] \
  || fail "persistent 500: clients status not failed"
[ "$(q "$db" "select status from sync_state where entity='pianos'")" = ok ] \
  || fail "persistent 500: pianos were not pulled"
fresh_case
run_gs r500b "$db" pull
[ "$RC" = 0 ] || { show r500b; fail "persistent 500: the repair pull exited $RC"; }
assert_cache_equals_dump "$db"
pass "persistent 500s past max attempts: exit $rc500, clear error, nothing lost, next pull repairs"

# ---- a whole run refused: every entity fails -> exit 4, run failed ------
db="$GS_TMP/cdown.db"
fresh_case
faults '{"rules":[{"field":"*","every":1,"action":"status","status":503}]}'
GAZSYNC_MAX_ATTEMPTS=2 run_gs rdown "$db" pull
[ "$RC" = 4 ] || { show rdown; fail "Gazelle down: exit $RC, want 4"; }
[ "$(last_run "$db" status)" = failed ] || fail "Gazelle down: run status '$(last_run "$db" status)', want failed"
grep -Eq "[a-z_]+ page 1: .*HTTP 503" "$GS_TMP/rdown.err" || { show rdown; fail "Gazelle down: stderr does not name an entity's page 1 and HTTP 503"; }
# Contacts ride with clients: their line carries the clients' error, not a
# meaningless "success" on a FAILED line.
grep -E "^contacts +FAILED" "$GS_TMP/rdown.out" | grep -q "clients page 1" \
  || { show rdown; fail "Gazelle down: the contacts line does not carry the clients' error"; }
pass "Gazelle down (503 on everything): exit 4, run recorded as failed"

# ---- an expired token: refreshed, saved in the cache, reused ------------
T=tok-access-5Zq81 R=tok-refresh-Hn2c7
start_sim "${SIM_FLAGS[@]}" --token "$T" --refresh-token "$R" --token-ttl-requests 5
db="$GS_TMP/ctok.db"
sim_post /__sim/stats/reset >/dev/null
GAZELLE_ACCESS_TOKEN=$T GAZELLE_REFRESH_TOKEN=$R run_gs rtok "$db" -v pull
[ "$RC" = 0 ] || { show rtok; fail "expired token: pull exited $RC"; }
refreshes=$(sim_get /__sim/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokenRequests"])')
[ "$refreshes" -ge 2 ] || fail "expired token: $refreshes refreshes, want several (a token lives 5 requests)"
[ "$(by_status 401)" -ge 2 ] || fail "expired token: $(by_status 401) 401 answers, want >= 2"
assert_cache_equals_dump "$db"
# Saved in the token file beside the cache, not in the cache (issue 11, 19).
token_of() { sed -n "s/^$1='\(.*\)'$/\1/p" "$db.tokens"; }
acc=$(token_of GAZELLE_ACCESS_TOKEN)
ref=$(token_of GAZELLE_REFRESH_TOKEN)
[ -n "$acc" ] && [ "$acc" != "$T" ] || fail "expired token: no refreshed access token in $db.tokens"
[ -n "$ref" ] && [ "$ref" != "$R" ] || fail "expired token: no refreshed refresh token in $db.tokens"
# The environment's pair is spent (the simulator rotates): only the saved
# pair can serve the next run.
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T" \
  -H 'Content-Type: application/json' -d '{"query":"{ allUsers(first: 1) { nodes { id } } }"}' \
  "$GAZELLE_API_URL")" = 401 ] || fail "expired token: the simulator still accepts the original token"
sim_post "/__sim/advance?days=1" >/dev/null
sim_post /__sim/stats/reset >/dev/null
GAZELLE_ACCESS_TOKEN=$T GAZELLE_REFRESH_TOKEN=$R run_gs rtok2 "$db" -v pull
[ "$RC" = 0 ] || { show rtok2; fail "expired token: the next run exited $RC (saved tokens not reused?)"; }
grep -q "tokens saved in $db.tokens" "$GS_TMP/rtok2.err" \
  || { show rtok2; fail "expired token: the next run did not say it used the saved tokens"; }
assert_cache_equals_dump "$db"
acc2=$(token_of GAZELLE_ACCESS_TOKEN)
ref2=$(token_of GAZELLE_REFRESH_TOKEN)
# Secrets: none of the tokens in any output or in sync_runs.
q "$db" "select * from sync_runs" >"$GS_TMP/sync_runs.txt"
for tok in "$T" "$R" "$acc" "$ref" "$acc2" "$ref2"; do
  for f in rtok.out rtok.err rtok2.out rtok2.err sync_runs.txt; do
    if grep -qF -- "$tok" "$GS_TMP/$f"; then fail "a token appears in $f"; fi
  done
done
pass "expired token: refreshed ($refreshes times), saved in the token file, reused by the next run, never printed or logged"
