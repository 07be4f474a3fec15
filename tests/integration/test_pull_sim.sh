#!/usr/bin/env bash
# gazsync pull against gazelle-sim over real sockets: first pull mirrors the
# dump; a second pull makes no users request, reads clients and pianos whole
# (no list can be asked by update time) and changes no row; a simulated day
# later every edit is seen; --force=users and a hire both bring users. Request counts come from the simulator's stats,
# never from gazsync's own counters.
source "$(dirname "$0")/lib.sh" "$1" "$2"
start_sim --seed 11 --clients 450 --pianos 600 --events 3000 --timeline 6000 --hires-per-year 0
db="$GS_TMP/cache.db"
# The window covers the simulator's whole booking horizon, so that a day's
# changes all fall inside it and the cache can equal the dump.
# One page a request (pack = off): the request counts below are pages of
# one cursor; test_pull_packed.sh compares a packed pull with this one.
cat >"$GS_TMP/gazsync.ini" <<INI
[gazsync]
pack = off
[entity.appointments]
policy = window=-60d..+200d
INI
gs() { "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$(sim_now)" "$@"; }

gs pull >"$GS_TMP/pull1.out" || fail "first pull exited $?: $(cat "$GS_TMP/pull1.out")"
assert_cache_equals_dump "$db"
[ "$(stat -c %a "$db")" = 600 ] || fail "cache mode is $(stat -c %a "$db"), not 600"
pass "first pull mirrors the dump"

# A full read costs ceil(rows / 100) pages (one more when the count is a
# multiple of the page: the page that proves the end is not needed, as
# hasNextPage says so).
pages() { echo $(( ($1 + 99) / 100 )); }
live() { sqlite3 "$db" "select count(*) from $1 where deleted_at is null"; }

sim_post /__sim/stats/reset >/dev/null
gs pull >"$GS_TMP/pull2.out" || fail "second pull exited $?"
[ "$(sim_requests allUsers)" = 0 ] || fail "second pull asked for users"
[ "$(sim_requests allClients)" = "$(pages "$(live clients)")" ] || fail "second pull: $(sim_requests allClients) clients requests, want $(pages "$(live clients)")"
[ "$(sim_requests allPianos)" = "$(pages "$(live pianos)")" ] || fail "second pull: $(sim_requests allPianos) pianos requests, want $(pages "$(live pianos)")"
[ "$(sim_requests allTimelineEntries)" = 1 ] || fail "second pull: $(sim_requests allTimelineEntries) timeline requests, want 1"
changed=$(sqlite3 "$db" "select rows_changed from sync_runs order by id desc limit 1")
[ "$changed" = 0 ] || fail "second pull changed $changed rows"
grep -q "skipped" "$GS_TMP/pull2.out" || fail "no 'skipped' line for users: $(cat "$GS_TMP/pull2.out")"
pass "second pull: 0 users requests, clients and pianos read whole, 0 rows changed"

sim_post "/__sim/advance?days=1" >"$GS_TMP/advance.json"
sim_post /__sim/stats/reset >/dev/null
gs pull >"$GS_TMP/pull3.out" || fail "pull after a day exited $?"
# Old timeline entries edited upstream are invisible to `since` until its
# periodic full read: tolerated (and counted) below the since bound only.
since_bound=$(sqlite3 "$db" "select strftime('%Y-%m-%dT%H:%M:%SZ', high_water, '-7 days') from sync_state where entity='timeline_entries'")
assert_cache_equals_dump "$db" --stale-before "timeline_entries=$since_bound"
for pair in clients:allClients pianos:allPianos; do
  entity=${pair%%:*}; field=${pair#*:}
  got=$(sim_requests "$field")
  [ "$got" = "$(pages "$(live "$entity")")" ] || fail "$entity: $got requests, want $(pages "$(live "$entity")") for $(live "$entity") rows"
done
touched=$(python3 -c "import json,sys; a=json.load(open(sys.argv[1])); print(a['clients']['updated'] + a['pianos']['updated'])" "$GS_TMP/advance.json")
changed=$(sqlite3 "$db" "select rows_changed from sync_runs order by id desc limit 1")
[ "$changed" -ge "$touched" ] || fail "a day later: $changed rows changed, but $touched clients and pianos were edited upstream"
pass "a day later: cache equals dump, every edit seen ($touched edited clients and pianos, $changed rows changed)"

gs pull --force=timeline_entries >/dev/null || fail "forced timeline pull failed"
assert_cache_equals_dump "$db"
pass "a forced timeline read repairs the edits since cannot see"

sim_post /__sim/stats/reset >/dev/null
gs pull --force=users >/dev/null || fail "forced users pull failed"
[ "$(sim_requests allUsers)" = 1 ] || fail "--force=users made $(sim_requests allUsers) users requests"
pass "--force=users reads users"

# A hire: a second business where technicians are hired every few days.
# After a few simulated days, a plain pull must notice the unknown user id
# that new appointments name, and read users by itself, once.
start_sim --seed 12 --scale 0.1 --hires-per-year 120
db="$GS_TMP/hire.db"
gs pull >/dev/null || fail "first pull of the hiring business failed"
users_before=$(sqlite3 "$db" "select count(*) from users")
sim_post "/__sim/advance?days=7" >"$GS_TMP/advance-hire.json"
hired=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['users']['created'])" "$GS_TMP/advance-hire.json")
[ "$hired" -ge 1 ] || fail "the simulator hired nobody in 7 days; raise the rate"
sim_post /__sim/stats/reset >/dev/null
gs pull >"$GS_TMP/pull5.out" || fail "pull after the hire exited $?"
[ "$(sim_requests allUsers)" = 1 ] || fail "hire: $(sim_requests allUsers) users requests, want 1: $(cat "$GS_TMP/pull5.out")"
users_after=$(sqlite3 "$db" "select count(*) from users")
[ "$users_after" -gt "$users_before" ] || fail "no new technician in the cache ($users_before -> $users_after)"
since_bound=$(sqlite3 "$db" "select strftime('%Y-%m-%dT%H:%M:%SZ', high_water, '-7 days') from sync_state where entity='timeline_entries'")
assert_cache_equals_dump "$db" --stale-before "timeline_entries=$since_bound"
pass "a hire named by the data triggers one users pull ($users_before -> $users_after technicians)"
