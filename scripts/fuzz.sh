#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan+UBSan) into build-fuzz/
# and runs each for SECONDS (default 20) on a copy of its corpus, so runs
# never add files to the repo. Exits non-zero when a target crashes, leaks,
# hits UB or times out, printing the input that did it (kept in a temporary
# directory; see fuzz/README.md to add it to the corpus as a regression).
#   scripts/fuzz.sh              # every target, 20 s each
#   scripts/fuzz.sh 300          # longer
#   scripts/fuzz.sh 60 fuzz_policy fuzz_config_ini   # some targets
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}; shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_gazelle_page fuzz_config_ini fuzz_policy fuzz_push_error
           fuzz_sim_graphql fuzz_double_query)
fi
CC=clang cmake -S . -B build-fuzz -DGS_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}" >/dev/null

work=$(mktemp -d /tmp/gs-fuzz-run-XXXXXX)
failed=0
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  mkdir -p "$work/$name/corpus" "$work/$name/crashes"
  if [ -d "fuzz/corpus/$name" ]; then
    cp -R "fuzz/corpus/$name/." "$work/$name/corpus/"
  fi
  # -timeout: an input taking seconds is a hang worth reporting;
  # -rss_limit_mb: well under what CI machines give.
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     "build-fuzz/fuzz/$target" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$work/$name/crashes/" \
       "$work/$name/corpus" >"$work/$name/log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name/log")
    echo "fuzz: $target ok (${runs:-?} inputs in ${seconds}s)"
  else
    failed=1
    echo "fuzz: $target FAILED; log $work/$name/log" >&2
    grep -E "ERROR:|SUMMARY:|runtime error" "$work/$name/log" | head -5 >&2 || true
    for crash in "$work/$name/crashes/"*; do
      [ -e "$crash" ] && echo "fuzz: crashing input: $crash" >&2
    done
  fi
done
if [ "$failed" = 0 ]; then
  rm -rf "$work"
else
  echo "fuzz: logs and crashing inputs kept in $work" >&2
fi
exit "$failed"
