#!/usr/bin/env bash
# The packing instrument cannot rot (issue 13): bench/packing.py --help, then
# a tiny business packed and unpacked, without and with a cost limit. Each
# row's figures are its own: packing asks fewer requests for the same nodes;
# under a limit the simulator refused some packed requests and gazsync
# remembered what passed, while the unpacked pull met no refusal.
# Usage: test_bench_packing.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gazsync-packing.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
python3 "$SRC/bench/packing.py" --help | grep -q -- --max-complexity
timeout 600 python3 "$SRC/bench/packing.py" --pack on,off \
  --max-complexity none,100000 --nights 1 --scale 0.05 --build "$BUILD" \
  --out "$TMP/pk" >"$TMP/log" 2>&1 ||
  { cat "$TMP/log"; echo "FAIL: bench/packing.py"; exit 1; }
python3 - "$TMP/pk.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
runs = {(r["pack"], r["max_complexity"]): r for r in d["runs"]}
assert sorted(runs, key=str) == sorted([("on", None), ("off", None),
                                        ("on", 100000), ("off", 100000)],
                                       key=str), sorted(runs, key=str)
on, off = runs[("on", None)], runs[("off", None)]
for key in ("first_pull", "quiet_night"):
    assert on[key]["gazelle_requests"] < off[key]["gazelle_requests"], key
    # the same rows travel either way (a packed sweeping read adds a census
    # part of one node per cut entity, and one per range counted again in
    # its last request: a few in a thousand)
    extra = on[key]["nodes"] - off[key]["nodes"]
    assert 0 <= extra <= max(8, off[key]["nodes"] // 100), (key, extra)
    assert on[key]["limit_refusals"] == 0 and off[key]["limit_refusals"] == 0
assert on["nights"]["count"] == 1 and off["nights"]["count"] == 1
limited, plain = runs[("on", 100000)], runs[("off", 100000)]
assert limited["first_pull"]["limit_refusals"] > 0, limited["first_pull"]
assert limited["learned"], "a refusal left nothing learned in the cache"
assert plain["first_pull"]["limit_refusals"] == 0
assert not plain["learned"]
# the same rows under the limit (only where the counts of a read's ranges
# rode differs)
assert abs(limited["first_pull"]["nodes"] - on["first_pull"]["nodes"]) <= \
    max(8, on["first_pull"]["nodes"] // 100), (limited["first_pull"], on["first_pull"])
PY
grep -q "^| on | none |" "$TMP/pk.md"
grep -q "^| off | 100,000 |" "$TMP/pk.md"
echo "ok: bench/packing.py measures packed and unpacked pulls under cost limits"
