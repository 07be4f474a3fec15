# Sourced by tests/integration/test_sim_*.sh ($1 = build dir, $2 = source
# dir). start_sim NAME [flags...] starts a simulator on a free port, sets
# $NAME to its base URL and ${NAME}_pid to its pid; every simulator started
# here is stopped by the EXIT trap.
set -euo pipefail
SIM_BIN="$1/tools/gazelle-sim/gazelle-sim"
SIM_LIB="$2/tools/gazelle-sim/tests"
SIM_TMP=$(mktemp -d)
SIM_PIDS=()
sim_cleanup() {
    for p in "${SIM_PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$SIM_TMP"
}
trap sim_cleanup EXIT
start_sim() {
    local name=$1
    shift
    "$SIM_BIN" --port 0 "$@" >"$SIM_TMP/$name.out" 2>"$SIM_TMP/$name.err" &
    local pid=$!
    SIM_PIDS+=("$pid")
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
