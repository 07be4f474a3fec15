#!/usr/bin/env bash
# The census (the whole list's `first: 1` count a sweeping cut read asks)
# never leaves a read open for good. (1) A request of exactly the budget's
# worth of one entity's ranges, then max_requests: the census rides in that
# first request (one node over the budget), so the entity finishes there and
# no checkpoint of done ranges without a count is left. (2) Such a
# checkpoint (every range done), as an earlier build left it: the next run
# finishes the read at once (resumed: no sweep) instead of leaving the
# entity "running" and the run saying OK.
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset_pull_env
start_sim --seed 41 --users 3 --clients 120 --pianos 3000 --events 300 \
  --timeline 800 --hires-per-year 0 --timeline-edits-per-day 0 --log-requests "$GS_TMP/req.jsonl"
# An empty cache cuts clients in 17 blind years of one page each: with the
# users list (1 node) they fill the first request's budget exactly.
ini() {
  printf '[gazsync]\npack = on\nrequest_nodes = 1701\nmax_requests = %s\n[entity.appointments]\npolicy = window=-60d..+200d\n' "$1" >"$GS_TMP/gazsync.ini"
}
gs() { "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$(sim_now)" pull; }
state() { sqlite3 "$db" "select status || '|' || coalesce(resume_cursor,'') from sync_state where entity='clients'"; }

db="$GS_TMP/cache.db"
ini 1
gs >"$GS_TMP/pull1.out" 2>&1 && fail "one request cannot pull everything: $(cat "$GS_TMP/pull1.out")"
grep -q "max_requests = 1 reached" "$GS_TMP/pull1.out" || fail "run 1 did not stop at max_requests: $(cat "$GS_TMP/pull1.out")"
[ "$(state)" = "ok|" ] || fail "clients after the first request: '$(state)' (the census waited behind the ranges?)"
grep -q "^clients .*pulled" "$GS_TMP/pull1.out" || fail "clients not pulled by the first request: $(cat "$GS_TMP/pull1.out")"
pass "the census rode with the budget's worth of client ranges: clients finished in request 1"

# A checkpoint of done ranges without a count, as the census waiting behind
# them left it: a read cut after its second request (pianos, several pages
# a year), then every range of its checkpoint marked done.
db="$GS_TMP/resumed.db"
ini 2
gs >"$GS_TMP/pull2.out" 2>&1 && fail "two requests cannot pull everything: $(cat "$GS_TMP/pull2.out")"
[ "$(sqlite3 "$db" "select resume_cursor from sync_state where entity='pianos'")" = "full|{ranges}" ] \
  || fail "pianos not checkpointed in ranges: $(sqlite3 "$db" "select entity, status, resume_cursor from sync_state")"
ranges=$(sqlite3 "$db" "select value from meta where key='pull.ranges.pianos'")
done_ranges=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); [r.update(done=True) for r in d["ranges"]]; print(json.dumps(d))' "$ranges")
sqlite3 "$db" "update meta set value = json('$done_ranges') where key='pull.ranges.pianos'"
pianos=$(sqlite3 "$db" "select count(*) from pianos")
[ "$pianos" -gt 0 ] || fail "no pianos stored by the cut read"
ini 0
gs >"$GS_TMP/pull3.out" 2>&1 || fail "the run after an all-done checkpoint exited $?: $(cat "$GS_TMP/pull3.out")"
state=$(sqlite3 "$db" "select status || '|' || coalesce(resume_cursor,'') from sync_state where entity='pianos'")
[ "$state" = "ok|" ] || fail "pianos left '$state' by a checkpoint of done ranges: $(cat "$GS_TMP/pull3.out")"
grep -q "^pianos .*pulled" "$GS_TMP/pull3.out" || fail "pianos not pulled: $(cat "$GS_TMP/pull3.out")"
decision=$(sqlite3 "$db" "select decision from sync_state where entity='pianos'")
case "$decision" in *"no deletion sweep: resumed from an earlier run"*) ;;
  *) fail "the resumed, empty read swept (or did not say it did not): '$decision'" ;; esac
[ "$(sqlite3 "$db" "select count(*) from pianos where deleted_at is null")" = "$pianos" ] || fail "pianos marked deleted"
pass "a checkpoint of done ranges finishes at once: pianos ok, resumed, no sweep"
