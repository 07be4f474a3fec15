#!/usr/bin/env bash
# The main job on the bundled defaults, with nothing to install by hand:
# the Gazelle simulator (a generated business), a throwaway PostgreSQL behind
# the PostgREST double, and a cache in a temporary folder.
#   1. sync: pull everything, push everything
#   2. sync again: users skipped, one request per delta entity, nothing pushed
#   3. the simulator advances one day; sync: only the changes travel
#   4. gazsync status
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh build >/dev/null
root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gazsync-demo.XXXXXX")
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

build/tools/gazelle-sim/gazelle-sim --port 0 --seed 42 >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 1 100); do [ -s "$work/sim.out" ] && break; sleep 0.1; done
sim_url=$(head -n 1 "$work/sim.out")
export GAZELLE_API_URL="$sim_url/graphql/private/"
export GAZSYNC_DB="$work/gazsync.db"
export GAZSYNC_MIN_INTERVAL_MS=0   # the simulator needs no politeness

requests() {
  curl -fsS "$sim_url/__sim/stats" | python3 tests/integration/sim_stats.py "$@"
}

cat >"$work/demo-inner.sh" <<'INNER'
set -euo pipefail
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "1. first sync: everything is new"
build/gazsync sync
step "2. sync again at once: nothing to fetch but one page per delta entity, nothing to push"
curl -fsS -X POST "$SIM_URL/__sim/stats/reset" >/dev/null
build/gazsync sync
echo "Gazelle requests seen by the simulator: $(requests --summary)"
step "3. one simulated day later"
curl -fsS -X POST "$SIM_URL/__sim/advance?days=1"; echo
curl -fsS -X POST "$SIM_URL/__sim/stats/reset" >/dev/null
build/gazsync --now "$(curl -fsS "$SIM_URL/__sim/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("now",""))')" sync
echo "Gazelle requests seen by the simulator: $(requests --summary)"
step "4. status"
build/gazsync status
echo
echo "The cache: $GAZSYNC_DB (open it with: sqlite3 $GAZSYNC_DB 'select * from v_status')"
INNER
export SIM_URL="$sim_url"
export -f requests
GS_BUILD_DIR="$root/build" bash tools/harness/pg-harness.sh run -- bash "$work/demo-inner.sh"
