#!/usr/bin/env bash
# Packed requests under a cost limit nobody published (gazelle-sim
# --max-complexity, graphql-ruby's refusal): a refused request is split by
# entity, then in halves, and asked again; the refusal's numbers (the limit,
# the request's cost) teach each entity's cost per node, kept in the cache's
# meta (pull.request_nodes_learned), and the next run fills whole requests
# to 90% of the limit without a refusal; the cache ends the same as an
# unpacked pull's. A page refused even alone fails its entity
# with an error naming it and the page size to lower; the others still land.
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset_pull_env
LOG="$GS_TMP/requests.jsonl"
# A page of 100 clients with 25 nested contacts each costs 44,906 here, one
# of appointments 34,606: each passes alone, the two together do not.
LIMIT=60000
SIM=(--seed 11 --clients 450 --pianos 600 --events 3000 --timeline 6000 --hires-per-year 0)
start_sim "${SIM[@]}" --max-complexity "$LIMIT" --log-requests "$LOG"
for pack in off on; do
  printf '[gazsync]\npack = %s\n[entity.appointments]\npolicy = window=-60d..+200d\n' "$pack" >"$GS_TMP/$pack.ini"
done
learned() { sqlite3 "$GS_TMP/on.db" "select coalesce((select value from meta where key='pull.request_nodes_learned'), '{}')"; }
same_caches() {
  local t
  for t in $GS_ENTITIES; do
    same_rows "$GS_TMP/off.db" "$GS_TMP/on.db" "$t" || fail "$1: $t differs between the unpacked and the packed cache"
  done
}
# The packed requests of two parts or more logged after line $1 (one part
# goes alone whatever its size) must cost, by the learned costs ($2, JSON),
# at most 90% of the learned limit; prints the costliest seen.
within_costs() {
  tail -n +"$(( $1 + 1 ))" "$LOG" | python3 -c '
import json, re, sys
learned = json.loads(sys.argv[1]); worst = 0
per = learned["cost_per_node"]; most = max(per.values())
entity = {"allClients": "clients", "allPianos": "pianos", "allUsers": "users",
          "allEventsBatched": "appointments", "allTimelineEntries": "timeline_entries"}
for line in sys.stdin:
    body = json.loads(line)
    body = json.loads(body["body"]) if isinstance(body.get("body"), str) else body.get("body", body)
    if "GazsyncPacked" not in body.get("query", ""):
        continue
    v = body.get("variables") or {}
    parts = re.findall(r"\b(p\d+): (\w+)\(", body["query"])
    if len(parts) < 2:
        continue
    cost = sum(v.get(p + "_first", 1) * per.get(entity[field], most) for p, field in parts)
    worst = max(worst, cost)
    if cost > 0.9 * learned["limit"] + 1:
        sys.exit("a request of %d parts costs %d by the learned costs, limit %d" % (len(parts), cost, learned["limit"]))
print(int(worst))' "$2"
}

sim_post /__sim/stats/reset >/dev/null
gs_named off pull >"$GS_TMP/off.out" || fail "unpacked pull under the limit exited $?: $(cat "$GS_TMP/off.out")"
[ "$(sim_stat limitRefusals)" = 0 ] || fail "a single page was refused at $LIMIT"
sim_post /__sim/stats/reset >/dev/null
gs_named on pull >"$GS_TMP/on.out" || fail "packed pull under the limit exited $?: $(cat "$GS_TMP/on.out")"
refusals=$(sim_stat limitRefusals) requests=$(sim_stat graphqlRequests)
[ "$refusals" -ge 1 ] || fail "no request was refused: the limit does not bite"
# every split halves: a request of n parts is refused at most log2(n) deep
[ "$refusals" -le 40 ] || fail "$refusals refusals"
assert_cache_equals_dump "$GS_TMP/on.db" >/dev/null
same_caches "first pull"
budget=$(learned)
# the limit is the refusal's own number; a client page (passed alone) costs
# less than it, and more than a timeline page
python3 -c '
import json, sys
l = json.loads(sys.argv[1]); per = l["cost_per_node"]; limit = int(sys.argv[2])
assert l["limit"] == limit and l["nodes"] == 0 and l["clean_runs"] == 0, l
assert 0 < per["clients"] * 100 < limit, per
assert per.get("timeline_entries", 0) < per["clients"], per' "$budget" "$LIMIT" \
  || fail "learned '$budget': not the limit $LIMIT and the costs of the pages refused"
[ "$requests" -le "$(( $(sim_stat pages) ))" ] || fail "more requests ($requests) than pages"
pass "first pull at --max-complexity $LIMIT: $refusals refusals split, $requests requests, learned $budget, same cache as unpacked"

# The next runs start from what was learned: no refusal, each request
# within 90% of the limit by the learned costs, fewer requests than
# unpacked; each counts one clean run toward the weekly probe.
for night in 1 2; do
  sim_post "/__sim/advance?days=1" >/dev/null
  sim_post /__sim/stats/reset >/dev/null
  gs_named off pull >/dev/null || fail "unpacked night $night exited $?"
  off_requests=$(sim_stat graphqlRequests)
  sim_post /__sim/stats/reset >/dev/null
  before=$(wc -l <"$LOG")
  gs_named on pull >"$GS_TMP/on2.out" || fail "packed night $night exited $?: $(cat "$GS_TMP/on2.out")"
  night_refusals=$(sim_stat limitRefusals) night_requests=$(sim_stat graphqlRequests)
  [ "$night_refusals" = 0 ] || fail "night $night: $night_refusals refusals at the learned limit"
  [ "$night_requests" -lt "$off_requests" ] \
    || fail "night $night: $night_requests packed requests, $off_requests unpacked"
  costliest=$(within_costs "$before" "$budget") || fail "night $night went past the learned limit $budget"
  same_caches "night $night"
  after=$(learned)
  python3 -c 'import json,sys; b=json.loads(sys.argv[1]); assert b["clean_runs"] == int(sys.argv[2]) and b["limit"] == int(sys.argv[3]), b' \
    "$after" "$night" "$LIMIT" || fail "night $night: learned '$after', want clean_runs $night at limit $LIMIT"
  pass "night $night: no refusal, $night_requests requests ($off_requests unpacked), costliest $costliest of $LIMIT by the learned costs, same cache; now $after"
done

# A page too costly even alone: its entity fails, naming the page and the
# page size to lower; the other entities land.
start_sim "${SIM[@]}" --max-complexity 40000
rm -f "$GS_TMP/on.db"*
set +e; gs_named on pull >"$GS_TMP/alone.out" 2>&1; rc=$?; set -e
[ "$rc" = 6 ] || fail "a page refused alone: exit $rc, want 6 (partial): $(cat "$GS_TMP/alone.out")"
grep -q "^clients .*FAILED.*clients .*page 1: refused as too costly even alone (100 nodes); lower \[entity.clients\] page_size" "$GS_TMP/alone.out" \
  || fail "the error does not name the page and the fix: $(grep clients "$GS_TMP/alone.out")"
[ "$(sqlite3 "$GS_TMP/on.db" "select status from sync_state where entity='pianos'")" = ok ] \
  || fail "pianos did not land beside the refused clients"
pass "a page refused alone: clients fail naming the page and [entity.clients] page_size, the others land"

# A refusal without numbers (graphql-ruby's "This query is too large to
# execute.", here for its tokens): half the refused request's nodes bound
# every request, no limit or cost is made up, and the cache still lands.
start_sim "${SIM[@]}" --max-query-tokens 1500
rm -f "$GS_TMP/on.db"*
sim_post /__sim/stats/reset >/dev/null
gs_named on pull >"$GS_TMP/tokens.out" || fail "packed pull under a token limit exited $?: $(cat "$GS_TMP/tokens.out")"
[ "$(sim_stat limitRefusals)" -ge 1 ] || fail "no request was refused at 1500 tokens"
assert_cache_equals_dump "$GS_TMP/on.db" >/dev/null
tokens=$(learned)
python3 -c '
import json, sys
l = json.loads(sys.argv[1])
assert 0 < l["nodes"] < 2000 and l["limit"] == 0 and l["cost_per_node"] == {}, l' "$tokens" \
  || fail "learned '$tokens' from refusals without numbers: want a node cap alone"
pass "refused for its tokens: a node cap alone is learned ($tokens), the pull lands"
