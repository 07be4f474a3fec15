#!/usr/bin/env bash
# The statement timeout of issue 11 over the PostgreSQL target: every
# timeline row costs 5 ms (a BEFORE INSERT trigger; the merge fires it for
# every proposed row) and the database has statement_timeout = 900ms, so
# the merge of 500 rows (2.5 s) or 250 (1.25 s) is cancelled with 57014.
# The target must shrink through the REST pusher's own bound: finish with
# every row (exit 0), keep the size that worked in the cache's meta
# (push.batch_rows.postgres:HOST:PORT/gazsync.timeline_entries), start the next run there
# (exactly the transactions its batches need) and then grow it by a quarter.
# Usage: test_pg_statement_timeout.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}" slow_timeline.sql
source "$2/tests/integration/lib.sh" "$1" "$2"
pg_target --seed 7 --scale 0.02
remembered() { sqlite3 "$db" "select value from meta where key like 'push.batch_rows.postgres:%/gazsync.timeline_entries'"; }
transactions() { sed -n 's/^timeline_entries .* \([0-9]*\) requests\{0,1\}$/\1/p' "$1"; }
# Transactions a push of N rows needs in pages of 500 cut into batches of M.
batches_for() {
    python3 -c 'import sys; n, m = int(sys.argv[1]), int(sys.argv[2])
print(sum(-(-min(500, n - p) // m) for p in range(0, n, 500)))' "$1" "$2"
}

gs pull >"$GS_TMP/pull.out" 2>&1 || fail "pull exited $?: $(cat "$GS_TMP/pull.out")"
rows=$(sqlite3 "$db" "select count(*) from timeline_entries")
[ "$rows" -gt 500 ] || fail "only $rows timeline entries; the test needs more than a batch"

gs push >"$GS_TMP/push1.out" 2>&1 || fail "push under a statement timeout exited $?: $(cat "$GS_TMP/push1.out")"
in_db=$("$PG_BIN/psql" -XAtq -d "$PG_URL" -c 'select count(*) from gazelle_timeline_entries')
[ "$in_db" = "$rows" ] || fail "the database holds $in_db of the $rows timeline entries"
m=$(remembered)
[ -n "$m" ] && [ "$m" -gt 0 ] && [ "$m" -le 250 ] || fail "remembered batch size '$m', want 1..250 (no 57014 met?)"
sent=$(transactions "$GS_TMP/push1.out")
[ -n "$sent" ] && [ "$sent" -gt "$(batches_for "$rows" "$m")" ] \
    || fail "first push: $sent transactions, no more than batches of $m need: no timeout was met"
pass "first push: halved to $m rows on 57014, all $rows rows landed in $sent transactions"

gs push --all timeline_entries >"$GS_TMP/push2.out" 2>&1 || fail "second push exited $?: $(cat "$GS_TMP/push2.out")"
want=$(batches_for "$rows" "$m")
got=$(transactions "$GS_TMP/push2.out")
[ "$got" = "$want" ] || fail "second push: $got transactions, want $want (batches of $m, no timeout): $(cat "$GS_TMP/push2.out")"
grown=$(remembered)
[ "$grown" = $((m + (m / 4 > 0 ? m / 4 : 1))) ] || fail "after a good run the size is '$grown', want $m + a quarter"
pass "next run: started at $m rows, no timeout, $got transactions; then grown to $grown"
