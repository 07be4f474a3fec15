#!/usr/bin/env bash
# Progress of a pull (issue 15). Under a pseudo-terminal (script(1)) the
# rewritten line shows rows done of Gazelle's totalCount, a rate and an ETA;
# with stderr a file there is no progress at all (no "\r", no "rows/s"),
# yet each entity's result line is printed, in pull order, before the
# total. No ANSI escape appears in either, NO_COLOR set or not.
# Usage: test_progress.sh BUILD_DIR SOURCE_DIR
source "$(dirname "$0")/lib.sh" "$1" "$2"
start_sim --seed 8 --scale 0.3
export GAZSYNC_PAGE_SIZE=20
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

# 2. With NO_COLOR: the same progress, still no escape code.
rm -f "$db"
NO_COLOR=1 script -qec "$(printf '%q ' "$GAZSYNC" --db "$db" --now "$now" pull clients)" \
  "$GS_TMP/typescript" >"$GS_TMP/nocolor.out" </dev/null || fail "NO_COLOR pull failed"
! grep -q $'\033' "$GS_TMP/nocolor.out" || fail "ANSI escape with NO_COLOR"
pass "NO_COLOR: no escape code"

# 3. Not a terminal: no progress, but every entity's line, then the total.
rm -f "$db"
"$GAZSYNC" --db "$db" --now "$now" pull >"$GS_TMP/out" 2>"$GS_TMP/err" || fail "pull failed: $(cat "$GS_TMP/err")"
! grep -q $'\r' "$GS_TMP/out" "$GS_TMP/err" || fail "a \\r outside a terminal"
! grep -q 'rows/s\|ETA' "$GS_TMP/out" "$GS_TMP/err" || fail "progress outside a terminal"
order=$(awk '{print $1}' "$GS_TMP/out" | paste -sd' ')
[ "$order" = "users clients contacts pianos appointments timeline_entries pull" ] \
  || fail "entity lines not in pull order before the total: $order"
pass "no terminal: no progress; one line per entity as it finished, then the total"
