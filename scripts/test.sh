#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every unit and
# integration test, then the same suite again under AddressSanitizer and
# UndefinedBehaviorSanitizer. Exits non-zero on any failure.
#   scripts/test.sh            # both passes
#   GS_TEST_FAST=1 scripts/test.sh   # skip the sanitizer pass
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh build
ctest --test-dir build --output-on-failure -j2
if [ "${GS_TEST_FAST:-0}" != 1 ]; then
  bash scripts/build.sh build-asan -DGS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j2
  if command -v clang >/dev/null; then bash scripts/fuzz.sh "${GS_FUZZ_SECONDS:-20}"; fi
fi
