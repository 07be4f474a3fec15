#!/usr/bin/env bash
# Installing gazsync (issue 15). A product build (-DBUILD_TESTING=OFF) in a
# temporary folder: configured without cmocka or libmicrohttpd (libpq is a
# run-time library: the push's PostgreSQL target);
# `cmake --install --prefix` puts the binary, the man page and
# share/gazsync/supabase.sql in place; `cpack -G DEB` makes a package whose
# Depends were computed by dpkg-shlibdeps (the run-time libraries, none of
# the test ones). The package is unpacked with `dpkg -x` into a temporary
# root rather than `dpkg -i` into this machine: the machine runs other test
# suites at the same time, and a test that changes /usr would not leave it as
# it found it (scripts/ci-package.sh does the `dpkg -i` on a CI machine). The
# unpacked binary prints its version, `schema` equals the packaged SQL, and a
# demo sync with it against gazelle-sim and the PostgREST double fills the
# target.
# Usage: test_install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
source "$2/tests/integration/lib.sh" "$1" "$2"
pkg="$GS_TMP/build-pkg"
nice cmake -S "$GS_SRC" -B "$pkg" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  >"$GS_TMP/configure.log" 2>&1 || fail "configure: $(tail -5 "$GS_TMP/configure.log")"
! grep -qi 'cmocka\|microhttpd' "$pkg/CMakeCache.txt" || fail "the product build looked for a test library"
nice cmake --build "$pkg" -j2 >"$GS_TMP/build.log" 2>&1 || fail "build: $(tail -5 "$GS_TMP/build.log")"
[ ! -e "$pkg/tools/gazelle-sim" ] || fail "the product build built the simulator"
pass "product build without cmocka, libmicrohttpd"

cmake --install "$pkg" --prefix "$GS_TMP/prefix" >/dev/null || fail "cmake --install"
for f in bin/gazsync share/man/man1/gazsync.1 share/gazsync/supabase.sql share/doc/gazsync/copyright; do
  [ -f "$GS_TMP/prefix/$f" ] || fail "cmake --install did not install $f"
done
cmp -s "$GS_TMP/prefix/share/gazsync/supabase.sql" "$GS_SRC/schema/supabase.sql" || fail "installed SQL differs"
pass "cmake --install: binary, man page, share/gazsync/supabase.sql, copyright"

(cd "$pkg" && cpack -G DEB >"$GS_TMP/cpack.log" 2>&1) || fail "cpack: $(tail -5 "$GS_TMP/cpack.log")"
deb=$(ls "$pkg"/gazsync_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libcurl4 libjansson4 libsqlite3-0 libinih1 libpq5; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
! grep -qi 'cmocka\|microhttpd' <<<"$depends" || fail "Depends names a test library: $depends"
! dpkg-deb -f "$deb" Description | grep -q ';' || fail "a CMake list separator in the Description: $(dpkg-deb -f "$deb" Description)"
pass "DEB built; Depends computed: $depends"

root="$GS_TMP/root"
dpkg -x "$deb" "$root"
gz="$root/usr/bin/gazsync"
"$gz" --version | grep -q "^gazsync [0-9]" || fail "installed --version"
"$gz" schema | cmp -s - "$root/usr/share/gazsync/supabase.sql" || fail "installed schema differs from the packaged SQL"
[ -f "$root/usr/share/man/man1/gazsync.1" ] || fail "no man page in the package"
pass "unpacked: --version, schema equals share/gazsync/supabase.sql, man page"

start_sim --seed 4 --scale 0.05
"$gz" --db "$GS_TMP/demo.db" --now "$(sim_now)" sync >"$GS_TMP/sync.out" 2>&1 \
  || fail "demo sync with the installed binary: $(cat "$GS_TMP/sync.out")"
clients=$(sqlite3 "$GS_TMP/demo.db" "select count(*) from clients")
target=$("$PG_BIN/psql" -XAtq -d "$PG_URL" -c "select count(*) from gazelle_clients")
[ "$clients" -gt 0 ] && [ "$target" = "$clients" ] || fail "demo sync: cache $clients clients, target $target"
pass "demo sync with the installed binary: $target clients in the target"
