#!/usr/bin/env bash
# CI's package step, on a clean machine (it installs into /usr): a product
# build, its Debian package, `dpkg -i` (apt resolves the computed Depends),
# `gazsync --version`, and the demo sync with the installed binary.
# Usage: scripts/ci-package.sh [BUILD_DIR]   (default build-pkg)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-pkg}
bash scripts/deps.sh
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$dir" -j"$(nproc)"
(cd "$dir" && cpack -G DEB)
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get install -y "./$(ls "$dir"/gazsync_*.deb)"
gazsync --version
# The demo needs the simulator and the double: the test build.
bash scripts/build.sh build
GS_BUILD_DIR=build bash tools/harness/pg-harness.sh run -- bash -c '
  sim=build/tools/gazelle-sim/gazelle-sim; out=$(mktemp); db=$(mktemp -d)/demo.db
  "$sim" --port 0 --seed 4 --scale 0.05 --now "$(date -u +%FT%TZ)" >"$out" & pid=$!
  trap "kill $pid" EXIT
  for _ in $(seq 1 100); do [ -s "$out" ] && break; sleep 0.05; done
  GAZELLE_API_URL="$(head -1 "$out")/graphql/private/" gazsync --db "$db" sync'
