#!/usr/bin/env bash
# The benchmark code cannot rot: bench/run.sh --quick (a few nights, tiny
# businesses, one run) through the harness, then the JSON it writes must
# parse and hold every figure docs/benchmarks.md is made of, and the report
# must render. The figures themselves are not judged here (docs/benchmarks.md).
# Usage: test_bench_smoke.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gazsync-bench-smoke.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

[ -x "$BUILD/bench/gs_bench" ] || { echo "FAIL: no $BUILD/bench/gs_bench"; exit 1; }
bash "$SRC/bench/run.sh" --help | grep -q -- --quick
bash "$SRC/bench/run.sh" --quick --no-build --build "$BUILD" \
  --json "$TMP/bench.json" --md "$TMP/bench.md" >"$TMP/log" 2>&1 ||
  { cat "$TMP/log"; echo "FAIL: bench/run.sh --quick"; exit 1; }
python3 - "$TMP/bench.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def need(obj, path):
    for key in path.split("."):
        assert isinstance(obj, dict) and key in obj, "missing " + path
        obj = obj[key]
    return obj
for path in ["machine.nproc", "machine.cpu", "machine.memory_gib",
             "year.gazsync.gazelle_requests", "year.gazsync.supabase_requests",
             "year.gazsync.bytes_received", "year.gazsync.rows_sent",
             "year.gazsync.seconds", "year.baseline_a.gazelle_requests",
             "year.baseline_b.supabase_requests", "year.users_changes",
             "year.users_requests", "year.ratios.gazelle_requests_a",
             "year.ratios.supabase_requests_a",
             "year.nochange.gazelle_requests", "year.nochange.users_requests",
             "year.nochange.supabase_requests", "year.nochange.seconds",
             "year.nochange.nodes", "year.first_sync.gazelle_requests",
             "year.first_sync.nodes", "year.latency_model.ms_per_request",
             "year.divergence.cache.divergent_row_nights",
             "year.divergence.target.divergent_row_nights",
             "year.divergence.cache.longest_nights",
             "ingest.large.from_sim.rows_per_s", "ingest.large.replay.rows_per_s",
             "ingest.large.sqlite3_shell.rows_per_s",
             "ingest.large.ratio_replay_vs_shell",
             "push.large.gazsync.rows_per_s", "push.large.copy.rows_per_s",
             "push.large.one_request_per_row.rows_per_s",
             "push.large.ratio_push_vs_copy", "memory.pull_large_kib",
             "memory.push_large_kib"]:
    need(d, path)
for e in ["users", "clients", "contacts", "pianos", "appointments",
          "timeline_entries"]:
    need(d, "year.gazsync.entities." + e + ".gazelle_requests")
# The pulls and pushes really moved rows, and the shell wrote what gazsync did.
i = d["ingest"]["large"]
assert i["from_sim"]["rows"] > 0 and i["replay"]["rows"] == i["from_sim"]["rows"]
assert i["sqlite3_shell"]["rows"] == i["replay"]["rows"], "shell rows differ"
assert d["push"]["large"]["gazsync"]["rows_written"] >= d["push"]["large"]["rows"]
assert d["year"]["baseline_a"]["supabase_requests"] > d["year"]["gazsync"]["supabase_requests"]
assert d["year"]["nochange"]["supabase_requests"] == 0
# Every night was compared with the truth, in both places.
assert d["year"]["divergence"]["cache"]["nights"] == len(d["year"]["nights"])
assert d["year"]["divergence"]["target"]["nights"] == len(d["year"]["nights"])
PY
grep -q "^## 1. A year of nights" "$TMP/bench.md"
grep -q "^## 4. Push" "$TMP/bench.md"
grep -q "^### Divergence from the truth" "$TMP/bench.md"
grep -q "^| first sync (full mirror) |" "$TMP/bench.md"
echo "ok: bench/run.sh --quick writes a complete JSON and page"
