#!/usr/bin/env bash
# The main job on the bundled defaults, with nothing to install by hand:
# the Gazelle simulator (a generated business), a throwaway PostgreSQL behind
# the PostgREST double, and a cache in a temporary folder.
#   1. sync: pull everything, push everything
#   2. sync again: users skipped, clients and pianos read whole (Gazelle has
#      no update-time order) but no row changes, so nothing is pushed
#   3. the simulator advances one day; sync: every edit seen, only the
#      changed rows pushed
#   5. the cheaper nightly policy: new-rows probes, a full read weekly
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

cat >"$work/demo-inner.sh" <<'INNER'
set -euo pipefail
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
sim() { curl -fsS -X "$1" "$SIM_URL$2"; }
# gazsync follows the simulator's clock, so the appointment window and the
# ages in `status` are those of the simulated business.
sim_now() { sim GET /__sim/stats | python3 tests/integration/sim_stats.py --now; }
requests() { sim GET /__sim/stats | python3 tests/integration/sim_stats.py --summary; }
gs() { build/gazsync --now "$(sim_now)" "$@"; }

step "1. first sync: everything is new"
gs sync
step "2. sync again at once: users skipped, clients and pianos read whole, 0 rows changed, nothing to push"
sim POST /__sim/stats/reset >/dev/null
gs sync
echo "Gazelle requests seen by the simulator: $(requests)"
step "3. one simulated day later"
sim POST "/__sim/advance?days=1"; echo
sim POST /__sim/stats/reset >/dev/null
gs sync
echo "Gazelle requests seen by the simulator: $(requests)"
step "4. status"
gs status
step "5. one more day with new-rows,full-every=7d for clients and pianos"
printf '[entity.clients]\npolicy = new-rows,full-every=7d\n[entity.pianos]\npolicy = new-rows,full-every=7d\n' >"$(dirname "$GAZSYNC_DB")/cheap.ini"
sim POST "/__sim/advance?days=1"; echo
sim POST /__sim/stats/reset >/dev/null
gs --config "$(dirname "$GAZSYNC_DB")/cheap.ini" sync
echo "Gazelle requests seen by the simulator: $(requests)"
echo
echo "The cache: $GAZSYNC_DB"
echo "(try: sqlite3 -box $GAZSYNC_DB 'select * from v_status')"
INNER
export SIM_URL="$sim_url"
GS_BUILD_DIR="$root/build" bash tools/harness/pg-harness.sh run -- bash "$work/demo-inner.sh"
