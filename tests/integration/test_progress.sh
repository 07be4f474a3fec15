#!/usr/bin/env bash
# Progress of a pull and of a push (issue 15). Under a pseudo-terminal
# (script(1)) the rewritten line shows rows done of the total (Gazelle's
# totalCount; the push's backlog), a rate and an ETA, then each entity's
# result line. With stdout and stderr files, or with NO_COLOR set, there is
# no progress at all (no "\r", no "rows/s"), yet each entity's result line
# is printed, in run order, before the total. No ANSI escape anywhere.
# The push goes to the PostgREST double over a real PostgreSQL
# (tools/harness/pg-harness.sh).
# Usage: test_progress.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset NO_COLOR # the terminal cases need it unset; the NO_COLOR ones set it

# no_progress_in_files WHAT OUT ERR HALF: no "\r", no rate or ETA in OUT
# and ERR, and OUT is one line per entity in run order, then HALF's total.
no_progress_in_files() {
  ! grep -q $'\r' "$2" "$3" || fail "a \\r in a $1 outside a terminal"
  ! grep -q 'rows/s\|ETA' "$2" "$3" || fail "$1 progress outside a terminal"
  local order
  order=$(awk '{print $1}' "$2" | paste -sd' ')
  [ "$order" = "users clients contacts pianos appointments timeline_entries $4" ] \
    || fail "$1 entity lines not in run order before the total: $order"
}
# Each page waits 30 ms: a rate (and so an ETA) needs 50 ms since the
# entity's first page, which an idle machine would otherwise beat.
start_sim --seed 8 --scale 0.3 --latency-ms 30
export GAZSYNC_PAGE_SIZE=20
# Packed, 2 pages a request: several requests, so that a rate can show
export GAZSYNC_REQUEST_NODES=40
db="$GS_TMP/cache.db"
now=$(sim_now)

# 1. Under a terminal.
script -qec "$(printf '%q ' "$GAZSYNC" --db "$db" --now "$now" pull clients)" \
  "$GS_TMP/typescript" >"$GS_TMP/tty.out" </dev/null || fail "pull under script failed: $(cat "$GS_TMP/tty.out")"
tr '\r' '\n' <"$GS_TMP/tty.out" >"$GS_TMP/tty.lines"
grep -Eq '^  clients +page [0-9]+  [0-9]+/[0-9]+ rows \([0-9]+%\)  [0-9]+ rows/s' "$GS_TMP/tty.lines" \
  || fail "no done/total line on the terminal: $(head -c 600 "$GS_TMP/tty.lines")"
grep -Eq 'ETA [0-9]' "$GS_TMP/tty.lines" || fail "no ETA on the terminal"
total=$(sim_get /__sim/dump | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["clients"]))')
grep -Eq "/$total rows" "$GS_TMP/tty.lines" || fail "the total is not the simulator's $total clients"
grep -q '^clients  *pulled' "$GS_TMP/tty.lines" || fail "no result line on the terminal"
! grep -q $'\033' "$GS_TMP/tty.out" || fail "ANSI escape on the terminal"
pass "terminal: done/total ($total), rate and ETA, then the result line"

# 2. With NO_COLOR: no progress line, no escape code; the result line stays.
rm -f "$db"
NO_COLOR=1 script -qec "$(printf '%q ' "$GAZSYNC" --db "$db" --now "$now" pull clients)" \
  "$GS_TMP/typescript" >"$GS_TMP/nocolor.out" </dev/null || fail "NO_COLOR pull failed"
! grep -q $'\033' "$GS_TMP/nocolor.out" || fail "ANSI escape with NO_COLOR"
! grep -q 'rows/s\|ETA' "$GS_TMP/nocolor.out" || fail "progress with NO_COLOR"
grep -q '^clients  *pulled' "$GS_TMP/nocolor.out" || fail "no result line with NO_COLOR"
pass "NO_COLOR: no progress, no escape code, the result line"

# 3. Not a terminal: no progress, but every entity's line, then the total.
rm -f "$db"
"$GAZSYNC" --db "$db" --now "$now" pull >"$GS_TMP/out" 2>"$GS_TMP/err" || fail "pull failed: $(cat "$GS_TMP/err")"
no_progress_in_files pull "$GS_TMP/out" "$GS_TMP/err" pull
pass "no terminal: no progress; one line per entity as it finished, then the total"

# 4. Push under a terminal: done/total of the backlog, a rate and an ETA,
# then each entity's result line as it finishes. One row a batch, so that
# there are batches enough to measure a rate over.
count() { sqlite3 "$db" "select count(*) from $1"; }
total=$(count clients)
[ "$total" -gt 20 ] || fail "the test needs clients to push; the cache has $total"
script -qec "$(printf '%q ' "$GAZSYNC" --db "$db" --now "$now" push --batch 1 users clients)" \
  "$GS_TMP/typescript" >"$GS_TMP/push_tty.out" </dev/null || fail "push under script failed: $(cat "$GS_TMP/push_tty.out")"
tr '\r' '\n' <"$GS_TMP/push_tty.out" >"$GS_TMP/push_tty.lines"
grep -Eq "^  clients +batch [0-9]+  [0-9]+/$total rows \([0-9]+%\)  [0-9]+ rows/s" "$GS_TMP/push_tty.lines" \
  || fail "no done/total ($total) push line on the terminal: $(head -c 600 "$GS_TMP/push_tty.lines")"
grep -Eq "^  clients +batch [0-9]+  [0-9]+/$total rows .*ETA [0-9]" "$GS_TMP/push_tty.lines" \
  || fail "no push ETA on the terminal"
grep -q '^clients  *pushed' "$GS_TMP/push_tty.lines" || fail "no push result line on the terminal"
grep -q '^users  *pushed' "$GS_TMP/push_tty.lines" || fail "no users result line on the terminal"
! grep -q $'\033' "$GS_TMP/push_tty.out" || fail "ANSI escape in the push on the terminal"
# The result line of users comes before any progress of clients: printed as
# it finished, not at the end.
users_at=$(grep -m1 -n '^users  *pushed' "$GS_TMP/push_tty.lines" | cut -d: -f1)
clients_at=$(grep -m1 -n '^  clients  *batch' "$GS_TMP/push_tty.lines" | cut -d: -f1)
[ "$users_at" -lt "$clients_at" ] || fail "users' result line (line $users_at) after clients' progress (line $clients_at)"
pass "push on a terminal: done/total ($total), rate and ETA; result lines as entities finish"

# 5. Push with NO_COLOR under a terminal, and push with files: no progress.
NO_COLOR=1 script -qec "$(printf '%q ' "$GAZSYNC" --db "$db" --now "$now" push --all --batch 50 clients)" \
  "$GS_TMP/typescript" >"$GS_TMP/push_nocolor.out" </dev/null || fail "NO_COLOR push failed"
! grep -q 'rows/s\|ETA\|batch [0-9]' "$GS_TMP/push_nocolor.out" || fail "push progress with NO_COLOR"
! grep -q $'\033' "$GS_TMP/push_nocolor.out" || fail "ANSI escape in a NO_COLOR push"
grep -q "^clients  *pushed   $total of $total" "$GS_TMP/push_nocolor.out" || fail "no push result line with NO_COLOR: $(cat "$GS_TMP/push_nocolor.out")"
"$GAZSYNC" --db "$db" --now "$now" push --all --batch 50 >"$GS_TMP/push.out" 2>"$GS_TMP/push.err" \
  || fail "push failed: $(cat "$GS_TMP/push.err")"
no_progress_in_files push "$GS_TMP/push.out" "$GS_TMP/push.err" push
pass "push with NO_COLOR or files: no progress; one line per entity, then the total"
