#!/usr/bin/env bash
# Packed requests (engine/pull/README.md, "Packed requests") against
# gazelle-sim: two caches of one business, one pulled a page a request
# (pack = off), the other packed, must hold the same rows row for row after
# a first pull and after a simulated day, with far fewer requests packed
# (the simulator's counters, printed). Every packed request keeps the sum
# of its parts' `first` within request_nodes (the simulator's request log).
# A hire is still noticed after a packed pull, and max_requests stops a
# pull as an error that the next run resumes.
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset_pull_env
LOG="$GS_TMP/requests.jsonl"
start_sim --seed 11 --clients 450 --pianos 600 --events 3000 --timeline 6000 \
  --hires-per-year 0 --client-deletes-per-year 200 --piano-deletes-per-year 200 \
  --log-requests "$LOG"
BUDGET=1500
for pack in off on; do
  cat >"$GS_TMP/$pack.ini" <<INI
[gazsync]
pack = $pack
request_nodes = $BUDGET
[entity.appointments]
policy = window=-60d..+200d
INI
done
same_caches() {
  local t
  for t in $GS_ENTITIES; do
    same_rows "$GS_TMP/off.db" "$GS_TMP/on.db" "$t" || fail "$1: $t differs between the unpacked and the packed cache"
    [ "$(sqlite3 "$GS_TMP/on.db" "select count(*) from $t")" -gt 0 ] || fail "$1: no $t"
  done
}
# The sum of `first` of each packed request logged after line $1.
check_budget() {
  tail -n +"$(( $1 + 1 ))" "$LOG" | python3 -c '
import json, re, sys
budget = int(sys.argv[1]); worst = 0; packed = 0
for line in sys.stdin:
    body = json.loads(line)
    body = json.loads(body["body"]) if isinstance(body.get("body"), str) else body.get("body", body)
    if "GazsyncPacked" not in body.get("query", ""):
        continue
    packed += 1
    v = body.get("variables") or {}
    # a plain list (users) has no first: it counts 1
    parts = set(re.findall(r"\b(p\d+): ", body["query"]))
    nodes = sum(v.get(p + "_first", 1) for p in parts)
    worst = max(worst, nodes)
    if nodes > budget:
        sys.exit("a packed request asks %d nodes, over %d" % (nodes, budget))
if packed == 0:
    sys.exit("no packed request logged")
print(packed, worst)' "$BUDGET"
}

# ---- first pull --------------------------------------------------------
sim_post /__sim/stats/reset >/dev/null
gs_named off pull >"$GS_TMP/off1.out" || fail "unpacked first pull exited $?: $(cat "$GS_TMP/off1.out")"
off_first=$(sim_stat graphqlRequests) off_pages=$(sim_stat pages)
sim_post /__sim/stats/reset >/dev/null
before=$(wc -l <"$LOG")
gs_named on pull >"$GS_TMP/on1.out" || fail "packed first pull exited $?: $(cat "$GS_TMP/on1.out")"
on_first=$(sim_stat graphqlRequests) on_pages=$(sim_stat pages)
read -r packed worst <<<"$(check_budget "$before")" || fail "first pull: budget"
assert_cache_equals_dump "$GS_TMP/on.db" >/dev/null
same_caches "first pull"
[ $(( on_first * 3 )) -le "$off_first" ] || fail "first pull: $on_first packed requests, not a third of $off_first"
grep -q "^pull total .* $on_first Gazelle requests" "$GS_TMP/on1.out" \
  || fail "the report does not count $on_first requests: $(tail -1 "$GS_TMP/on1.out")"
# requests and pages apart in the run log: pages per entity, requests that
# carried each, the run's requests
python3 - "$GS_TMP/on.db" "$on_first" "$on_pages" <<'PY' || fail "run log: requests vs pages"
import json, sqlite3, sys
db, want_requests, want_pages = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
row = sqlite3.connect(db).execute(
    "select gazelle_requests, stats from sync_runs order by id desc limit 1").fetchone()
stats = json.loads(row[1])
assert row[0] == want_requests, row[0]
assert stats["gazelle_requests"] == want_requests, stats["gazelle_requests"]
pages = sum(e["pages"] for e in stats["entities"].values())
assert stats["gazelle_pages"] == pages, (stats["gazelle_pages"], pages)
# the simulator also counts each range's first: 1 count and follow-ups
assert want_pages >= pages > 2 * want_requests, (want_pages, pages)
for name, e in stats["entities"].items():
    if e["pages"]:
        assert 1 <= e["requests"] <= want_requests, (name, e)
assert stats["entities"]["timeline_entries"]["pages"] > stats["entities"]["timeline_entries"]["requests"]
PY
pass "first pull: same cache, $on_first requests packed ($on_pages pages, $packed packed, at most $worst of $BUDGET nodes each) against $off_first unpacked ($off_pages pages)"

# ---- a quiet night -----------------------------------------------------
sim_post "/__sim/advance?days=1" >/dev/null
sim_post /__sim/stats/reset >/dev/null
gs_named off pull >"$GS_TMP/off2.out" || fail "unpacked night exited $?"
off_night=$(sim_stat graphqlRequests)
sim_post /__sim/stats/reset >/dev/null
before=$(wc -l <"$LOG")
gs_named on pull >"$GS_TMP/on2.out" || fail "packed night exited $?: $(cat "$GS_TMP/on2.out")"
on_night=$(sim_stat graphqlRequests)
check_budget "$before" >/dev/null || fail "night: budget"
same_caches "a day later"
[ $(( on_night * 3 )) -le "$off_night" ] || fail "night: $on_night packed requests, not a third of $off_night"
# the window and the whole tables were swept in ranges as in one read
grep -q "no deletion sweep" "$GS_TMP/on2.out" && fail "the packed night skipped a sweep: $(cat "$GS_TMP/on2.out")"
pass "a day later: same cache, $on_night requests packed against $off_night unpacked"

# ---- deletions upstream are swept by packed reads -------------------------
sim_post "/__sim/advance?days=3" >"$GS_TMP/advance3.json"
deleted=$(python3 -c "import json,sys; a=json.load(open(sys.argv[1])); print(a['clients']['deleted'] + a['pianos']['deleted'])" "$GS_TMP/advance3.json")
[ "$deleted" -ge 1 ] || fail "the simulator deleted no client or piano in 3 days"
gs_named off pull >/dev/null || fail "unpacked pull after the deletions exited $?"
gs_named on pull >"$GS_TMP/on3.out" || fail "packed pull after the deletions exited $?"
same_caches "after deletions"
gone_on=$(sqlite3 "$GS_TMP/on.db" "select (select count(*) from pianos where deleted_at is not null) + (select count(*) from clients where deleted_at is not null)")
[ "$gone_on" -ge "$deleted" ] || fail "$deleted deleted upstream, $gone_on marked deleted in the packed cache: $(cat "$GS_TMP/on3.out")"
pass "deletions swept alike ($deleted deleted upstream, $gone_on clients and pianos marked deleted in both caches)"

# ---- max_requests: stops as an error, the next run resumes ------------
rm -f "$GS_TMP/cap.db"*
printf '[gazsync]\npack = on\nrequest_nodes = %s\nmax_requests = 3\n[entity.appointments]\npolicy = window=-60d..+200d\n' \
  "$BUDGET" >"$GS_TMP/cap.ini"
sim_post /__sim/stats/reset >/dev/null
set +e; gs_named cap pull >"$GS_TMP/cap1.out" 2>&1; rc=$?; set -e
[ "$rc" != 0 ] || fail "a pull over max_requests exited 0"
[ "$(sim_stat graphqlRequests)" = 3 ] || fail "max_requests = 3 let $(sim_stat graphqlRequests) requests through"
grep -q "max_requests = 3 reached" "$GS_TMP/cap1.out" || fail "the error does not say max_requests: $(cat "$GS_TMP/cap1.out")"
[ -z "$(sqlite3 "$GS_TMP/cap.db" "select group_concat(entity) from sync_state where entity='timeline_entries' and status='ok'")" ] \
  || fail "the timeline is marked done after 3 requests"
runs=1
while [ "$runs" -lt 40 ]; do
  set +e; gs_named cap pull >"$GS_TMP/cap.out" 2>&1; rc=$?; set -e
  runs=$((runs + 1))
  [ "$rc" = 0 ] && break
  grep -q "max_requests = 3 reached" "$GS_TMP/cap.out" || fail "run $runs: $(cat "$GS_TMP/cap.out")"
done
[ "$rc" = 0 ] || fail "$runs capped runs did not finish the first pull"
assert_cache_equals_dump "$GS_TMP/cap.db" >/dev/null
pass "max_requests = 3: each run stops with an error saying so, $runs runs complete the first pull, cache equals the dump"

# ---- a hire is noticed after a packed pull -----------------------------
start_sim --seed 12 --scale 0.1 --hires-per-year 120
db="$GS_TMP/hire.db"
hire() { "$GAZSYNC" --db "$db" --config "$GS_TMP/on.ini" --now "$(sim_now)" "$@"; }
hire pull >/dev/null || fail "first packed pull of the hiring business failed"
users_before=$(sqlite3 "$db" "select count(*) from users")
sim_post "/__sim/advance?days=7" >"$GS_TMP/advance-hire.json"
hired=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['users']['created'])" "$GS_TMP/advance-hire.json")
[ "$hired" -ge 1 ] || fail "the simulator hired nobody in 7 days"
hire pull >"$GS_TMP/hire.out" || fail "packed pull after the hire exited $?"
grep -q "^users .*pulled" "$GS_TMP/hire.out" || fail "no users pull after the hire: $(cat "$GS_TMP/hire.out")"
[ "$(sqlite3 "$db" "select count(*) from users")" -gt "$users_before" ] || fail "no new technician in the cache"
pass "packed: a hire named by new appointments brings a users pull"
