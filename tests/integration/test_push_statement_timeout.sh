#!/usr/bin/env bash
# Supabase's statement timeout (issue 11, defect 6) on a real PostgreSQL
# behind the double: every timeline row costs 5 ms (a BEFORE INSERT
# trigger's pg_sleep; an upsert fires it for every row, new or not)
# and the database has statement_timeout = 900ms, so a batch of 500 rows
# (2.5 s) or 250 (1.25 s) is cancelled with 57014, which the double answers
# as PostgREST does (500, code 57014). gazsync must:
#   - halve the batch, never send the same size again in vain, and finish
#     with every row in the database (exit 0);
#   - keep the size that worked in the cache (meta
#     push.batch_rows.supabase.timeline_entries);
#   - start the next run at that size: no 57014 at all, and exactly the
#     requests its batches need; then grow it by a quarter.
# Usage: test_push_statement_timeout.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}" slow_timeline.sql
source "$2/tests/integration/lib.sh" "$1" "$2"
export GAZSYNC_MAX_ATTEMPTS=3 GAZSYNC_BACKOFF_BASE_MS=20
db="$GS_TMP/cache.db"
gs() { "$GAZSYNC" --db "$db" "$@"; }
double() { curl -fsS -X "$1" "$SUPABASE_URL/__double/$2"; }
# dstat EXPR: a Python expression over the double's stats s.
dstat() { double GET stats | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"; }
remembered() { sqlite3 "$db" "select value from meta where key = 'push.batch_rows.supabase.timeline_entries'"; }
# Requests a push of N rows needs in pages of 500 cut into batches of M.
requests_for() {
    python3 -c 'import sys; n, m = int(sys.argv[1]), int(sys.argv[2])
print(sum(-(-min(500, n - p) // m) for p in range(0, n, 500)))' "$1" "$2"
}

start_sim --seed 7 --scale 0.02
gs pull >"$GS_TMP/pull.out" 2>&1 || fail "pull exited $?: $(cat "$GS_TMP/pull.out")"
rows=$(sqlite3 "$db" "select count(*) from timeline_entries")
[ "$rows" -gt 500 ] || fail "only $rows timeline entries; the test needs more than a batch"

# ---- first push: 500 times out, halved until it fits, completes ----------
double POST stats/reset >/dev/null
gs push >"$GS_TMP/push1.out" 2>&1 || fail "push under a statement timeout exited $?: $(cat "$GS_TMP/push1.out")"
timeouts=$(dstat 's["by_status"].get("500", 0)')
[ "$timeouts" -ge 1 ] || fail "no 57014 seen: the per-row cost did not bite"
in_db=$("${PG_BIN:+$PG_BIN/}psql" -XAtq -d "$PG_URL" -c 'select count(*) from gazelle_timeline_entries')
[ "$in_db" = "$rows" ] \
    || fail "the database does not hold the $rows timeline entries"
m=$(remembered)
[ -n "$m" ] && [ "$m" -gt 0 ] && [ "$m" -le 250 ] || fail "remembered batch size '$m', want 1..250"
sent=$(dstat 's["requests_by_table"]["gazelle_timeline_entries"]')
# Each timeout halves once: the requests are the timeouts plus what batches
# of the size that worked need (a halved piece may be smaller: +timeouts).
[ "$sent" -le $((2 * timeouts + $(requests_for "$rows" "$m"))) ] \
    || fail "first push: $sent requests for $rows rows with $timeouts timeouts, batches of $m: something was resent"
pass "first push: $timeouts statement timeout(s), halved to $m rows, all $rows rows landed in $sent requests"

# ---- next run: starts at the remembered size -----------------------------
double POST stats/reset >/dev/null
gs push --all timeline_entries >"$GS_TMP/push2.out" 2>&1 || fail "second push exited $?: $(cat "$GS_TMP/push2.out")"
[ "$(dstat 's["by_status"].get("500", 0)')" = 0 ] || fail "second push met the timeout again: it did not start at $m"
want=$(requests_for "$rows" "$m")
got=$(dstat 's["requests_by_table"]["gazelle_timeline_entries"]')
[ "$got" = "$want" ] || fail "second push: $got requests, want $want (batches of $m)"
grown=$(remembered)
[ "$grown" = $((m + (m / 4 > 0 ? m / 4 : 1))) ] || fail "after a good run the size is '$grown', want $m + a quarter"
pass "next run: started at $m rows, no timeout, $got requests; then grown to $grown"
