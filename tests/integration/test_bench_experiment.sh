#!/usr/bin/env bash
# The experiment instrument cannot rot: bench/experiment.py --help, then two
# policy sets for a few nights of a tiny business (without the picture: the
# plot step is the benchmark's, gnuplot is not a CI dependency). Each set's
# figures are there and are the set's own: the set that reads appointments
# whole asks more of allEventsBatched than the window does.
# Usage: test_bench_experiment.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gazsync-experiment.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
python3 "$SRC/bench/experiment.py" --help | grep -q -- --nights
python3 "$SRC/bench/experiment.py" --nights 3 --scale 0.03 --build "$BUILD" \
  --no-plot --out "$TMP/exp" "$SRC/bench/policies/defaults-main.ini" \
  "$SRC/bench/policies/appointments-always.ini" >"$TMP/log" 2>&1 ||
  { cat "$TMP/log"; echo "FAIL: bench/experiment.py"; exit 1; }
python3 - "$TMP/exp.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sets = {s["name"]: s for s in d["sets"]}
assert sorted(sets) == ["appointments-always", "defaults-main"], sorted(sets)
for s in sets.values():
    assert s["nights"] == 3
    for key in ("gazelle_requests", "bytes_received", "supabase_requests",
                "modelled_seconds_per_night", "first_sync", "quiet_night"):
        assert key in s, key
    for place in ("cache", "target"):
        div = s["divergence"][place]
        assert div["nights"] == 3 and len(div["per_night"]) == 3
    assert s["first_sync"]["gazelle_requests"] > s["gazelle_requests_per_night"]
    assert s["quiet_night"]["supabase_requests"] == 0
w = sets["defaults-main"]["per_entity_gazelle"]["appointments"]
a = sets["appointments-always"]["per_entity_gazelle"]["appointments"]
assert a > w, (a, w)
PY
grep -q "^| defaults-main |" "$TMP/exp.md"
grep -q "^| appointments-always |" "$TMP/exp.md"
echo "ok: bench/experiment.py runs policy sets and reports each"
