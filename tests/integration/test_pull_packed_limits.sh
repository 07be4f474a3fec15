#!/usr/bin/env bash
# Packed requests under a cost limit nobody published (gazelle-sim
# --max-complexity, graphql-ruby's refusal): a refused request is split in
# halves and asked again, the budget that passed is kept in the cache's meta
# (pull.request_nodes_learned, per entity: a client page carries its
# contacts, a timeline page is flat) and used by the next run, and the cache ends
# the same as an unpacked pull's. A page refused even alone fails its entity
# with an error naming it and the page size to lower; the others still land.
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset GAZELLE_ACCESS_TOKEN GAZELLE_REFRESH_TOKEN GAZELLE_API_KEY \
  GAZSYNC_MAX_ATTEMPTS GAZSYNC_PAGE_SIZE GAZSYNC_PACK GAZSYNC_REQUEST_NODES \
  GAZSYNC_MAX_REQUESTS
LOG="$GS_TMP/requests.jsonl"
# A page of 100 clients with 25 nested contacts each costs 44,906 here: the
# limit lets two of them through, not the 2,000 nodes of a default request.
LIMIT=100000
SIM=(--seed 11 --clients 450 --pianos 600 --events 3000 --timeline 6000 --hires-per-year 0)
start_sim "${SIM[@]}" --max-complexity "$LIMIT" --log-requests "$LOG"
for pack in off on; do
  printf '[gazsync]\npack = %s\n[entity.appointments]\npolicy = window=-60d..+200d\n' "$pack" >"$GS_TMP/$pack.ini"
done
gs() { local pack=$1; shift; "$GAZSYNC" --db "$GS_TMP/$pack.db" --config "$GS_TMP/$pack.ini" --now "$(sim_now)" "$@"; }
stat() { sim_get /__sim/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
learned() { sqlite3 "$GS_TMP/on.db" "select coalesce((select value from meta where key='pull.request_nodes_learned'), '{}')"; }
same_caches() {
  local t a b
  for t in users clients contacts pianos appointments timeline_entries; do
    a=$(sqlite3 "$GS_TMP/off.db" "select id||'|'||row_hash||'|'||coalesce(deleted_at,'') from $t order by id" | md5sum)
    b=$(sqlite3 "$GS_TMP/on.db" "select id||'|'||row_hash||'|'||coalesce(deleted_at,'') from $t order by id" | md5sum)
    [ "$a" = "$b" ] || fail "$1: $t differs between the unpacked and the packed cache"
  done
}
# The packed requests of two parts or more logged after line $1 (one part
# goes alone whatever its size) must keep each entity within its learned
# cap ($2, JSON); prints the widest entity share seen.
within_caps() {
  tail -n +"$(( $1 + 1 ))" "$LOG" | python3 -c '
import json, re, sys
caps = json.loads(sys.argv[1]); worst = 0
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
    share = {}
    for p, field in parts:
        share[entity[field]] = share.get(entity[field], 0) + v.get(p + "_first", 1)
    for e, nodes in share.items():
        if e in caps:
            worst = max(worst, nodes)
            if nodes > caps[e]:
                sys.exit("%s: %d nodes in one request, cap %d" % (e, nodes, caps[e]))
print(worst)' "$2"
}

sim_post /__sim/stats/reset >/dev/null
gs off pull >"$GS_TMP/off.out" || fail "unpacked pull under the limit exited $?: $(cat "$GS_TMP/off.out")"
[ "$(stat limitRefusals)" = 0 ] || fail "a single page was refused at $LIMIT"
sim_post /__sim/stats/reset >/dev/null
gs on pull >"$GS_TMP/on.out" || fail "packed pull under the limit exited $?: $(cat "$GS_TMP/on.out")"
refusals=$(stat limitRefusals) requests=$(stat graphqlRequests)
[ "$refusals" -ge 1 ] || fail "no request was refused: the limit does not bite"
# every split halves: a request of n parts is refused at most log2(n) deep
[ "$refusals" -le 40 ] || fail "$refusals refusals"
assert_cache_equals_dump "$GS_TMP/on.db" >/dev/null
same_caches "first pull"
budget=$(learned)
clients_cap=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("clients", 0))' "$budget")
[ "$clients_cap" -ge 100 ] && [ "$clients_cap" -lt 2000 ] \
  || fail "learned caps '$budget': clients not kept between one page and the configured 2000"
[ "$requests" -le "$(( $(stat pages) ))" ] || fail "more requests ($requests) than pages"
pass "first pull at --max-complexity $LIMIT: $refusals refusals split, $requests requests, learned $budget, same cache as unpacked"

# The next run starts from the learned budget: no request wider than it.
sim_post "/__sim/advance?days=1" >/dev/null
gs off pull >/dev/null || fail "unpacked night exited $?"
sim_post /__sim/stats/reset >/dev/null
before=$(wc -l <"$LOG")
gs on pull >"$GS_TMP/on2.out" || fail "packed night exited $?: $(cat "$GS_TMP/on2.out")"
wide=$(within_caps "$before" "$budget") || fail "the next run went past the learned caps $budget"
same_caches "a day later"
after=$(learned)
night_refusals=$(stat limitRefusals) night_requests=$(stat graphqlRequests)
if [ "$night_refusals" = 0 ]; then
  # a run without a refusal lets each cap grow back by a quarter
  python3 -c 'import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); assert all(b.get(e, 10**9) > c for e, c in a.items()), (a, b)' "$budget" "$after" \
    || fail "no refusal, yet the caps did not grow: $budget then $after"
fi
pass "the next run keeps within the learned caps (widest share $wide nodes, $night_requests requests, $night_refusals refusals; now $after), same cache"

# A page too costly even alone: its entity fails, naming the page and the
# page size to lower; the other entities land.
start_sim "${SIM[@]}" --max-complexity 40000
rm -f "$GS_TMP/on.db"*
set +e; gs on pull >"$GS_TMP/alone.out" 2>&1; rc=$?; set -e
[ "$rc" = 6 ] || fail "a page refused alone: exit $rc, want 6 (partial): $(cat "$GS_TMP/alone.out")"
grep -q "^clients .*FAILED.*clients .*page 1: refused as too costly even alone (100 nodes); lower \[entity.clients\] page_size" "$GS_TMP/alone.out" \
  || fail "the error does not name the page and the fix: $(grep clients "$GS_TMP/alone.out")"
[ "$(sqlite3 "$GS_TMP/on.db" "select status from sync_state where entity='pianos'")" = ok ] \
  || fail "pianos did not land beside the refused clients"
pass "a page refused alone: clients fail naming the page and [entity.clients] page_size, the others land"
