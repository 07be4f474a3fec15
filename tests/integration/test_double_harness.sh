#!/usr/bin/env bash
# The harness: run mode passes the command's status and cleans up; start/stop
# mode for long-lived use; a signal mid-run still tears everything down; no
# process or folder is left behind and the key is not printed.
# Args: BUILD_DIR SOURCE_DIR.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
HARNESS=$SRC/tools/harness/pg-harness.sh
export GS_BUILD_DIR=$BUILD
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gs-harness-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILURES=0

check() {
    if [ "$2" == "$3" ]; then
        printf 'ok   %s\n' "$1"
    else
        printf 'FAIL %s\n     got:      %s\n     expected: %s\n' "$1" "$2" "$3"
        FAILURES=$((FAILURES + 1))
    fi
}

# A process that runs (a zombie waiting for its reaper does not).
alive() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# What a run leaves: its folder, the double, the postmaster.
gone() {  # DIR DOUBLE_PID POSTMASTER_PID
    local left="" p
    [ -e "$1" ] && left="$left folder"
    alive "$2" && left="$left double"
    alive "$3" && left="$left postgres"
    for p in $(pgrep -f -- "$1" 2>/dev/null); do
        alive "$p" && { left="$left processes-naming-the-folder"; break; }
    done
    echo "${left:-nothing}"
}

# A command that records what it was given, then does something.
RECORD='printf "%s %s %s\n" "$GS_HARNESS_DIR" "$DOUBLE_PID" "$(head -n1 "$PGDATA/postmaster.pid")" >'"$WORK"'/info'

# -- run: the env is there, the services answer, the status comes back
set +e
bash "$HARNESS" run -- bash -c "$RECORD"'
    psql -XAtq -d "$PG_URL" -c "select count(*) from gazelle_clients" >'"$WORK"'/psql || exit 3
    curl -sf -o /dev/null -H "apikey: $SUPABASE_SERVICE_ROLE_KEY" \
        -H "Authorization: Bearer $SUPABASE_SERVICE_ROLE_KEY" "$SUPABASE_URL/rest/v1/gazelle_clients" || exit 4
    exit 7' >"$WORK/out" 2>&1
status=$?
set -e
check "run: the command's status is the harness's" "$status" 7
check "run: schema applied, database reachable" "$(cat "$WORK/psql" 2>/dev/null)" 0
read -r dir dpid pmpid <"$WORK/info"
check "run: nothing left behind" "$(gone "$dir" "$dpid" "$pmpid")" nothing
key_printed=$(grep -c -E '[0-9a-f]{48}' "$WORK/out" || true)
check "run: the key is not printed" "$key_printed" 0

# -- start / stop
bash "$HARNESS" start "$WORK/env" >"$WORK/out" 2>&1
check "start: env file written" "$([ -s "$WORK/env" ] && echo yes)" yes
(
    . "$WORK/env"
    for v in PG_URL SUPABASE_URL SUPABASE_SERVICE_ROLE_KEY DOUBLE_PID PGDATA; do
        [ -n "${!v:-}" ] || echo "missing $v"
    done
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "apikey: $SUPABASE_SERVICE_ROLE_KEY" \
        -H "Authorization: Bearer $SUPABASE_SERVICE_ROLE_KEY" "$SUPABASE_URL/rest/v1/gazsync_runs")
    echo "$code"
    printf '%s %s %s\n' "$GS_HARNESS_DIR" "$DOUBLE_PID" "$(head -n1 "$PGDATA/postmaster.pid")" >"$WORK/info"
) >"$WORK/started" 2>&1
check "start: services up, all variables set" "$(cat "$WORK/started")" 200
check "start: the key is not printed" "$(grep -c -E '[0-9a-f]{48}' "$WORK/out" || true)" 0
check "start: env file private" "$(stat -c %a "$WORK/env")" 600
read -r dir dpid pmpid <"$WORK/info"
check "start: still running after the harness exits" "$(gone "$dir" "$dpid" "$pmpid")" \
    " folder double postgres processes-naming-the-folder"
bash "$HARNESS" stop "$WORK/env" >/dev/null 2>&1
check "stop: nothing left behind" "$(gone "$dir" "$dpid" "$pmpid")" nothing
check "stop: env file removed" "$([ -e "$WORK/env" ] && echo present || echo removed)" removed

# -- a signal in the middle of a run
rm -f "$WORK/info"
# A duration no other process on the machine sleeps, so pgrep finds ours only.
NAP="120.$$"
bash "$HARNESS" run -- bash -c "$RECORD; exec sleep $NAP" >/dev/null 2>&1 &
harness=$!
for _ in $(seq 200); do [ -s "$WORK/info" ] && [ "$(wc -w <"$WORK/info")" = 3 ] && break; sleep 0.1; done
read -r dir dpid pmpid <"$WORK/info"
kill -TERM "$harness"
set +e
wait "$harness"
status=$?
set -e
# The harness finishes its teardown before it exits; be patient with it.
for _ in $(seq 300); do kill -0 "$harness" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM: harness exits 143" "$status" 143
check "SIGTERM: nothing left behind" "$(gone "$dir" "$dpid" "$pmpid")" nothing
check "SIGTERM: the command was stopped" "$(pgrep -f "sleep $NAP" >/dev/null && echo running || echo stopped)" stopped

# -- a signal while it is still starting (initdb, pg_ctl, the double)
mkdir -p "$WORK/tmp"
for delay in 0.2 0.6 1.0; do
    TMPDIR=$WORK/tmp bash "$HARNESS" run -- sleep 120 >/dev/null 2>&1 &
    harness=$!
    sleep "$delay"
    kill -TERM "$harness" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$harness" 2>/dev/null || break; sleep 0.1; done
    left=$(ls -A "$WORK/tmp")
    for p in $(pgrep -f -- "$WORK/tmp" 2>/dev/null); do
        alive "$p" && left="$left process:$p"
    done
    check "SIGTERM after ${delay}s of start-up: nothing left behind" "${left:-nothing}" nothing
done

if [ "$FAILURES" -ne 0 ]; then
    echo "$FAILURES check(s) failed"
    exit 1
fi
echo "all checks passed"
