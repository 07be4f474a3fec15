#!/usr/bin/env bash
# The divergence measurement of the benchmarks (bench/divergence.py) reports
# exactly what was done to a cache and a target by hand, and nothing else:
# after a sync both equal the simulator's truth (no divergence); then a row
# removed is "missing", a row made stale is "stale", a row kept after it is
# gone upstream is "gone", a users edit is "declared" (the users policy says
# it waits for a forced read), each under its entity with its id.
# Usage: test_bench_divergence.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
source "$(dirname "$0")/lib.sh" "$1" "$2"
start_sim --seed 5 --clients 40 --pianos 50 --events 120 --timeline 300
export GAZELLE_API_URL="$SIM_URL/graphql/private/"
DB="$GS_TMP/cache.db"
"$GAZSYNC" --db "$DB" -q init
"$GAZSYNC" --db "$DB" -q --now "$(sim_now)" sync
measure() {
  python3 "$GS_SRC/bench/divergence.py" --sim "$SIM_URL" --db "$DB" --pg "$PG_URL"
}
measure >"$GS_TMP/before.json"

# The hand edits: the cache and the target each get their own rows.
read -r PIA CLI EVT USR <<<"$(sqlite3 "$DB" "SELECT (SELECT id FROM pianos ORDER BY id LIMIT 1),
  (SELECT id FROM clients ORDER BY id LIMIT 1), (SELECT id FROM appointments ORDER BY id LIMIT 1),
  (SELECT id FROM users ORDER BY id LIMIT 1)" | tr '|' ' ')"
read -r TPIA TCLI <<<"$(sqlite3 "$DB" "SELECT (SELECT id FROM pianos ORDER BY id DESC LIMIT 1),
  (SELECT id FROM clients ORDER BY id DESC LIMIT 1)" | tr '|' ' ')"
sqlite3 "$DB" "DELETE FROM pianos WHERE id = '$PIA';
  UPDATE clients SET raw = json_set(raw, '\$.companyName', 'Edited by hand') WHERE id = '$CLI';
  INSERT INTO appointments (id, row_hash, change_seq, raw)
    SELECT 'evt_gone_upstream', row_hash, change_seq, json_set(raw, '\$.id', 'evt_gone_upstream')
    FROM appointments WHERE id = '$EVT';
  UPDATE users SET raw = json_set(raw, '\$.email', 'old@example.com') WHERE id = '$USR';"
psql -X -q -v ON_ERROR_STOP=1 "$PG_URL" -c "DELETE FROM gazelle_pianos WHERE external_id = '$TPIA'" \
  -c "UPDATE gazelle_clients SET raw = jsonb_set(raw, '{status}', '\"Edited\"') WHERE external_id = '$TCLI'" \
  -c "UPDATE gazelle_pianos SET deleted_at = now() WHERE external_id = '$PIA'"
measure >"$GS_TMP/after.json"

python3 - "$GS_TMP/before.json" "$GS_TMP/after.json" "$PIA" "$CLI" "$USR" "$TPIA" "$TCLI" <<'PY'
import json, sys
before, after = (json.load(open(p)) for p in sys.argv[1:3])
pia, cli, usr, tpia, tcli = sys.argv[3:]
def found(doc):
    return {(e, k, rid) for e, kinds in doc.items() if isinstance(kinds, dict)
            for k, ids in kinds.items() for rid in ids}
for place in ("cache", "target"):
    assert found(before[place]) == set(), (place, sorted(found(before[place]))[:5])
    assert before[place]["referenced_users_missing"] == []
want = {"cache": {("pianos", "missing", pia), ("clients", "stale", cli),
                  ("appointments", "gone", "evt_gone_upstream"),
                  ("users", "declared", usr)},
        "target": {("pianos", "missing", tpia), ("pianos", "missing", pia),
                   ("clients", "stale", tcli)}}
for place, expected in want.items():
    got = found(after[place])
    assert got == expected, "%s: got %s, want %s" % (place, sorted(got), sorted(expected))
assert after["cache"]["referenced_users_missing"] == []
print("ok: the hand edits and nothing else, under their names")
PY

# The nights add up: row-nights, the worst night, the longest run.
PYTHONPATH="$GS_SRC/bench" python3 - <<'PY'
import divergence as d
def night(**ids):
    r = {e: {k: [] for k in d.KINDS} for e in d.ENTITIES}
    for key, v in ids.items():
        e, k = key.rsplit("_", 1)
        r[e][k] = v
    r["referenced_users_missing"] = []
    return r
t = d.Tracker()
t.add(night(pianos_missing=["a"], timeline_entries_declared=["t"]))
t.add(night(pianos_missing=["a", "b"], clients_stale=["c"]))
t.add(night(pianos_missing=["b"]))
t.add(night())
s = t.summary()
p = s["entities"]["pianos"]["missing"]
assert p["row_nights"] == 4 and p["worst_night"] == 2 and p["worst_night_at"] == 2, p
assert p["longest_nights"] == 2, p
assert s["divergent_row_nights"] == 5 and s["total"]["declared"] == 1, s["total"]
assert s["per_night"] == [1, 3, 1, 0] and s["worst_night"] == 3, s["per_night"]
assert s["longest_nights"] == 2
print("ok: nights add up")
PY
