# Sourced by tests/integration/test_sim_*.sh ($1 = build dir, $2 = source
# dir). start_sim NAME [flags...] starts a simulator on a free port, sets
# $NAME to its base URL and ${NAME}_pid to its pid; every simulator started
# here is stopped by the EXIT trap.
set -euo pipefail
SIM_BIN="$1/tools/gazelle-sim/gazelle-sim"
SIM_LIB="$2/tools/gazelle-sim/tests"
SIM_TMP=$(mktemp -d)
SIM_NAMES=()
# Stops a simulator with SIGTERM and checks it exits 0: under
# -DGS_SANITIZE=ON a leak or a sanitizer report makes the exit non-zero.
stop_sim() {
    local name=$1 pid_var="${1}_pid" rc=0
    local pid=${!pid_var:-}
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || rc=$?
    printf -v "$pid_var" '%s' ""
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: simulator $name exited with $rc" >&2
        tail -n 40 "$SIM_TMP/$name.err" >&2
        return 1
    fi
}
sim_cleanup() {
    local rc=$? name
    for name in "${SIM_NAMES[@]}"; do
        stop_sim "$name" || rc=1
    done
    rm -rf "$SIM_TMP"
    exit "$rc"
}
trap sim_cleanup EXIT
start_sim() {
    local name=$1
    shift
    "$SIM_BIN" --port 0 "$@" >"$SIM_TMP/$name.out" 2>"$SIM_TMP/$name.err" &
    local pid=$!
    SIM_NAMES+=("$name")
    for _ in $(seq 1 600); do
        [ -s "$SIM_TMP/$name.out" ] && break
        sleep 0.05
    done
    local url
    url=$(head -1 "$SIM_TMP/$name.out")
    if ! [[ "$url" =~ ^http://127\.0\.0\.1:[0-9]+$ ]]; then
        echo "FAIL: simulator $name did not print its URL" >&2
        cat "$SIM_TMP/$name.err" >&2
        exit 1
    fi
    printf -v "$name" '%s' "$url"
    printf -v "${name}_pid" '%s' "$pid"
}
export PYTHONPATH="$SIM_LIB${PYTHONPATH:+:$PYTHONPATH}"
