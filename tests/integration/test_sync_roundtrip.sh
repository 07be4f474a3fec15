#!/usr/bin/env bash
# The whole round trip, simulator -> cache -> real PostgreSQL behind the
# PostgREST double, as a user runs it night after night:
#   1. a first sync: the target holds exactly the cache, the cache the dump;
#   2. a second sync at once: zero Supabase requests (the double counts);
#   3. a simulated day later: only the changed rows travel, in
#      ceil(changed / batch) requests per table, and a column set by hand in
#      the database (gazelle_clients.staff_notes) keeps its value;
#   4. deletions upstream, seen by a full read, arrive as soft deletes.
# Usage: test_sync_roundtrip.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
source "$2/tests/integration/lib.sh" "$1" "$2"
unset GAZSYNC_PAGE_SIZE GAZSYNC_MAX_ATTEMPTS
start_sim --seed 21 --scale 0.2 --hires-per-year 0 --client-deletes-per-year 400 \
  --piano-deletes-per-year 400
db="$GS_TMP/cache.db"
cat >"$GS_TMP/gazsync.ini" <<INI
[entity.appointments]
policy = window=-60d..+200d
INI
gs() { "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$(sim_now)" "$@"; }
double() { curl -fsS -X "$1" "$SUPABASE_URL/__double/$2"; }
double_count() { # requests for a table (or all with "*")
  double GET stats | python3 -c 'import json,sys; s=json.load(sys.stdin); t=sys.argv[1]; print(s["requests"] if t=="*" else s.get("requests_by_table",{}).get(t,0))' "$1"
}

gs sync >"$GS_TMP/sync1.out" || fail "first sync exited $?: $(cat "$GS_TMP/sync1.out")"
assert_cache_equals_dump "$db"
target_equals_cache
pass "first sync: dump = cache = target"

double POST stats/reset >/dev/null
gs sync >/dev/null || fail "second sync failed"
[ "$(double_count '*')" = 0 ] || fail "a sync with nothing new made $(double_count '*') Supabase requests"
pass "second sync: 0 Supabase requests"

psql_q "update gazelle_clients set staff_notes = 'accordé à 442 — noté à la main'"
hand_set=$(psql_q "select count(*) from gazelle_clients")
sim_post "/__sim/advance?days=1" >/dev/null
gs pull >/dev/null || fail "pull after a day failed"
batch=7
declare -A pending
for e in users clients contacts pianos appointments timeline_entries; do
  pending[$e]=$(sqlite3 "$db" "select count(*) from $e where change_seq > coalesce((select last_pushed_seq from push_state where entity='$e'), 0)")
done
[ "${pending[clients]}" -gt 0 ] || fail "a simulated day changed no client; the test needs churn"
double POST stats/reset >/dev/null
gs push --batch "$batch" >"$GS_TMP/push3.out" || fail "push after a day failed: $(cat "$GS_TMP/push3.out")"
for e in users clients contacts pianos appointments timeline_entries; do
  want=$(( (pending[$e] + batch - 1) / batch ))
  got=$(double_count "gazelle_$e")
  [ "$got" = "$want" ] || fail "$e: ${pending[$e]} changed rows took $got requests, want $want"
done
target_equals_cache
# Every row that had the hand-set value keeps it, the re-pushed ones too.
kept=$(psql_q "select count(*) from gazelle_clients where staff_notes = 'accordé à 442 — noté à la main'")
[ "$kept" = "$hand_set" ] || fail "staff_notes: $kept of $hand_set rows kept the hand-set value"
pass "a day later: ceil(changed/$batch) requests per table, staff_notes kept on $kept rows"

# Deletions: two months of churn, then a full read sweeps what is gone.
soft_deletes_arrive
