#!/usr/bin/env bash
# The benchmarks behind docs/benchmarks.md: see --help.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

usage() {
  cat <<'EOF'
Usage: bench/run.sh [OPTIONS]

Builds gazsync, starts a throwaway PostgreSQL behind the PostgREST double
(tools/harness/pg-harness.sh) and measures, on the bundled Gazelle simulator:
  year      365 simulated nights of `gazsync sync` (one per night, --now = the
            simulator's clock), beside baseline (a) every entity re-read in
            full + `push --all --batch 1` and baseline (b) the same with users
            if-empty; the baselines run for a few nights, scaled to the year.
            Then a night with no change, right after a sync.
  ingest    rows/s of a first pull of the default and the --scale business:
            from the simulator (gazsync pull), from recorded pages through the
            pull's code (bench/gs_bench ingest), and the sqlite3 shell
            inserting the same pages with its JSON functions.
  push      rows/s of a first push of those caches through the double, psql
            \copy of the same rows into the same tables, and one request per
            row (a sample, scaled).
  memory    peak RSS (/usr/bin/time -v) of those pulls and pushes.
Writes a JSON document (--json) and the Markdown page (--md).

Options:
  --quick               a smoke run: 3 nights, 1 baseline night, 1 run, a
                        default business of 0.05 and a large one of 0.1
                        (about a minute); not figures to publish
  --days N              simulated nights of the year (default 365)
  --baseline-nights N   nights measured for each baseline (default 3)
  --runs N              runs per figure, the median reported (default 3)
  --scale X             size of the large business (default 20)
  --default-scale X     size of the default business (default 1)
  --seed N              simulator seed (default 42)
  --phases LIST         year,ingest,push (default: all three)
  --divergence-every N  compare the cache and the target with the
                        simulator's truth after every Nth night of the year
                        (default 1: every night; bench/divergence.py)
  --push-caches A,B     push these pulled caches (default, large business)
                        instead of pulling them; the ingest phase is skipped
  --batch-rows N         [push] batch_rows of the postgres target's pushes
  --target T            the push phase's target: supabase (through the
                        double, default) or postgres (libpq, [push] target)
  --build DIR           build directory (default build-bench)
  --no-build            use --build as it is (the smoke test)
  --json FILE           default docs/benchmarks.json
  --md FILE             default docs/benchmarks.md ("-": none)
  -h, --help            this text
EOF
}

divergence_every=1 days=365 baseline_nights=3 runs=3 scale=20 default_scale=1 seed=42 phases=year,ingest,push
target=supabase push_caches= batch_rows=0
build=build-bench no_build=0 json=docs/benchmarks.json md=docs/benchmarks.md
command="bench/run.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) days=3 baseline_nights=1 runs=1 scale=0.1 default_scale=0.05 ;;
    --days) days=$2; shift ;;
    --baseline-nights) baseline_nights=$2; shift ;;
    --runs) runs=$2; shift ;;
    --scale) scale=$2; shift ;;
    --default-scale) default_scale=$2; shift ;;
    --seed) seed=$2; shift ;;
    --phases) phases=$2; shift ;;
    --divergence-every) divergence_every=$2; shift ;;
    --target) target=$2; shift ;;
    --push-caches) push_caches=$2; shift ;;
    --batch-rows) batch_rows=$2; shift ;;
    --build) build=$2; shift ;;
    --no-build) no_build=1 ;;
    --json) json=$2; shift ;;
    --md) md=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$build" in /*) ;; *) build="$root/$build" ;; esac
case "$json" in /*) ;; *) json="$root/$json" ;; esac
case "$md" in /*|-) ;; *) md="$root/$md" ;; esac

[ "$no_build" = 1 ] || bash scripts/build.sh "$build" >/dev/null
GS_BUILD_DIR="$build" bash tools/harness/pg-harness.sh run -- \
  python3 bench/bench.py --build "$build" --out "$json" --days "$days" \
  --baseline-nights "$baseline_nights" --runs "$runs" --scale "$scale" \
  --default-scale "$default_scale" --seed "$seed" --phases "$phases" \
  --divergence-every "$divergence_every" --target "$target" --push-caches "$push_caches" --batch-rows "$batch_rows" --command "$command"
if [ "$md" != "-" ]; then
  python3 bench/report.py "$json" >"$md"
  echo "wrote $json and $md"
fi
