#!/usr/bin/env bash
# CI's package step, on a clean machine (it installs into /usr): a product
# build, its Debian package, its computed Depends checked (`dpkg-deb -f`),
# `apt-get install ./gazsync_*.deb` (apt resolves those Depends), the
# installed /usr/bin/gazsync's --version and schema, and a demo sync with it
# against gazelle-sim and the PostgREST double. At the end the package is
# removed again (`apt-get remove`) unless it was installed before the step
# began or GS_KEEP_PACKAGE=1: a machine that runs other suites afterwards
# must not find a stray gazsync on its PATH. Each step has a time bound.
# Usage: CI=true scripts/ci-package.sh [BUILD_DIR]   (default build-pkg)
# The demo needs the simulator and the double: it reuses the test build in
# build/ (built by scripts/test.sh before this step in .ci/run; built here
# if it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-pkg}
if [ "${CI:-}" != true ]; then
  echo "ci-package: installs a package into /usr; run it with CI=true on a" \
    "throwaway machine (tests/integration/test_install.sh checks the package" \
    "without installing it)" >&2
  exit 2
fi
say() { printf 'ci-package: %s\n' "$*" >&2; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

bash scripts/deps.sh
timeout 900 cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
timeout 900 cmake --build "$dir" -j"$(nproc)" >/dev/null
rm -f "$dir"/gazsync_*.deb # a package of an earlier version would be taken too
(cd "$dir" && timeout 300 cpack -G DEB >/dev/null)
debs=("$dir"/gazsync_*.deb)
[ "${#debs[@]}" -eq 1 ] && [ -f "${debs[0]}" ] || { say "cpack made ${debs[*]}"; exit 1; }
deb=${debs[0]}
dpkg-deb -I "$deb" >&2

# The Depends dpkg-shlibdeps computed: each run-time library the binary
# links, and none of the test ones.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libcurl4 libjansson4 libsqlite3-0 libinih1 libpq5; do
  grep -q "\b$lib\b" <<<"$depends" || { say "Depends lacks $lib: $depends"; exit 1; }
done
if grep -qi 'cmocka\|microhttpd\|-dev\b' <<<"$depends"; then
  say "Depends names a test or -dev package: $depends"
  exit 1
fi
if dpkg-deb -f "$deb" Description | grep -q ';'; then
  say "a CMake list separator in the Description: $(dpkg-deb -f "$deb" Description)"
  exit 1
fi
say "Depends: $depends"

was_installed=0
dpkg-query -W -f='${Status}' gazsync 2>/dev/null | grep -q "install ok installed" && was_installed=1
remove_package() {
  if [ "$was_installed" = 0 ] && [ "${GS_KEEP_PACKAGE:-0}" != 1 ]; then
    timeout 300 $SUDO apt-get remove -y -qq gazsync >/dev/null && say "gazsync removed again"
  fi
}
trap remove_package EXIT
timeout 600 $SUDO apt-get install -y -qq "./$deb" >/dev/null
gz=/usr/bin/gazsync
[ "$(dpkg-query -S "$gz")" = "gazsync: $gz" ] || { say "$gz is not the package's"; exit 1; }
version=$("$gz" --version)
grep -q "^gazsync $(dpkg-deb -f "$deb" Version)\b" <<<"$version" \
  || { say "installed --version says '$version', the package is $(dpkg-deb -f "$deb" Version)"; exit 1; }
"$gz" schema | cmp -s - /usr/share/gazsync/supabase.sql || { say "installed schema differs from share/gazsync/supabase.sql"; exit 1; }
[ -f /usr/share/man/man1/gazsync.1.gz ] || [ -f /usr/share/man/man1/gazsync.1 ] || { say "no man page installed"; exit 1; }
say "installed: $version"

[ -x build/tools/gazelle-sim/gazelle-sim ] && [ -x build/tools/postgrest-double/postgrest-double ] \
  || timeout 1800 bash scripts/build.sh build >/dev/null
# The demo: a first sync from the simulator into the double's PostgreSQL;
# the target must then hold every client the cache holds.
GS_BUILD_DIR=build timeout 600 bash tools/harness/pg-harness.sh run -- bash -c '
  set -euo pipefail
  gz=$1; work=$(mktemp -d); sim_pid=
  cleanup() { [ -z "$sim_pid" ] || kill "$sim_pid" 2>/dev/null || true; rm -rf "$work"; }
  trap cleanup EXIT
  build/tools/gazelle-sim/gazelle-sim --port 0 --seed 4 --scale 0.05 >"$work/sim.out" 2>&1 &
  sim_pid=$!
  for _ in $(seq 1 100); do [ -s "$work/sim.out" ] && break; sleep 0.05; done
  sim_url=$(head -1 "$work/sim.out")
  now=$(curl -fsS "$sim_url/__sim/stats" | python3 tests/integration/sim_stats.py --now)
  GAZELLE_API_URL="$sim_url/graphql/private/" GAZSYNC_MIN_INTERVAL_MS=0 \
    "$gz" --db "$work/demo.db" --now "$now" sync
  clients=$(sqlite3 "$work/demo.db" "select count(*) from clients")
  target=$("$PG_BIN/psql" -XAtq -d "$PG_URL" -c "select count(*) from gazelle_clients")
  [ "$clients" -gt 0 ] && [ "$target" = "$clients" ] \
    || { echo "ci-package: demo sync: cache $clients clients, target $target" >&2; exit 1; }
  echo "ci-package: demo sync with $gz: $target clients in the target" >&2
' demo "$gz"
say "ok"
