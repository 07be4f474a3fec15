#!/usr/bin/env bash
# gazsync push through the PostgREST double over a real PostgreSQL
# (tools/harness/pg-harness.sh). The cache is made by `gazsync init` and
# filled by a seeder below (rows in the store's own format: typed columns,
# raw JSON, change_seq from the file's counter), so that this test needs
# nothing but the push half; "a day later" is the seeder changing rows and
# giving them new change_seqs, as a pull would. Checks, counting requests with the double's /__double/stats
# (never gazsync's own counters):
#   - first push: the database holds exactly the cache's rows, field by field;
#   - second push, nothing changed: zero requests;
#   - some rows changed: only changed rows, ceil(changed/batch) requests
#     per entity;
#   - a hand-set column (gazelle_clients.staff_notes) survives every push;
#   - faults: 503 on one table (that entity stops, marks nothing, the others
#     land; the next push recovers), a dropped connection, 429 + Retry-After;
#   - a bad row (CHECK constraint) is quarantined while its batch-mates land,
#     and lands once the constraint is gone;
#   - kill -9 mid-push, push again: database equals cache, no duplicate.
# A second harness with a small --max-body checks the 413 split.
#
# Usage: test_push_double.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
if [ -z "${3:-}" ]; then
    export GS_BUILD_DIR=$BUILD
    bash "$SRC/tools/harness/pg-harness.sh" run -- \
        bash "$0" "$BUILD" "$SRC" --inner
    # The 413 split, under a double that refuses bodies over 30 kB.
    GS_DOUBLE_MAX_BODY=30000 bash "$SRC/tools/harness/pg-harness.sh" run -- \
        bash "$0" "$BUILD" "$SRC" --inner413
    exit 0
fi
MODE=$3
source "$SRC/tests/integration/lib.sh" "$BUILD" "$SRC"
export GAZSYNC_MAX_ATTEMPTS=3 GAZSYNC_BACKOFF_BASE_MS=20

db="$GS_TMP/cache.db"
gs() { "$GAZSYNC" --db "$db" "$@"; }

sql() {
    PGOPTIONS="-c client_min_messages=warning -c timezone=UTC" \
        "${PG_BIN:+$PG_BIN/}psql" -XAtq -v ON_ERROR_STOP=1 -d "$PG_URL" -c "$1"
}
double() { curl -fsS -X "$1" "$SUPABASE_URL/__double/$2" ${3:+-H 'Content-Type: application/json' -d "$3"}; }
reset_stats() { double POST stats/reset >/dev/null; }
# stat KEY [TABLE]: total requests, or requests to one table.
dstat() {
    double GET stats | python3 -c 'import json,sys
s = json.load(sys.stdin)
print(s["requests"] if len(sys.argv) < 2 else s["requests_by_table"].get(sys.argv[1], 0))' "$@"
}
# Rows of the cache not yet pushed, per entity cache table.
pending() {
    sqlite3 "$db" "select count(*) from $1 where change_seq >
        coalesce((select last_pushed_seq from push_state where entity='$1'), 0)"
}

# Database equals cache, field by field, for every entity: same ids (no
# duplicate, nothing missing), and every cache column but the bookkeeping
# ones equal after normalising types (timestamps as instants, booleans,
# JSON as values). Rows quarantined in push_failures are skipped (listed in
# $1 as "table:id,..." of rows expected to differ).
assert_db_equals_cache() {
    local skip=${1:-}
    local dumps="$GS_TMP/pg"
    mkdir -p "$dumps"
    for t in users clients contacts pianos appointments timeline_entries; do
        sql "select coalesce(json_agg(row_to_json(g)), '[]') from gazelle_$t g" \
            >"$dumps/$t.json"
    done
    python3 - "$db" "$dumps" "$skip" <<'EOF' || fail "database differs from the cache"
import datetime, json, sqlite3, sys
db, dumps, skip = sys.argv[1], sys.argv[2], set(filter(None, sys.argv[3].split(",")))
con = sqlite3.connect(db)
con.row_factory = sqlite3.Row
bookkeeping = {"row_hash", "change_seq", "pulled_at"}
def instant(text):
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
def same(c, p):
    if c is None or p is None:
        return c is None and p is None
    if isinstance(p, bool):
        return bool(c) == p
    if isinstance(p, (dict, list)):
        return (json.loads(c) if isinstance(c, str) else c) == p
    if isinstance(p, str) and isinstance(c, str):
        a, b = instant(c), instant(p)
        if a and b and ("T" in c or " " in c):
            return a == b
        return c == p
    return c == p
bad = 0
for t in ["users", "clients", "contacts", "pianos", "appointments", "timeline_entries"]:
    cache = {r["id"]: dict(r) for r in con.execute(f"select * from {t}")}
    pg_rows = json.load(open(f"{dumps}/{t}.json"))
    pg = {r["external_id"]: r for r in pg_rows}
    if len(pg) != len(pg_rows):
        print(f"{t}: duplicate external_id in the database"); bad += 1
    if set(cache) != set(pg):
        print(f"{t}: ids differ: cache-only {len(set(cache)-set(pg))}, db-only {len(set(pg)-set(cache))}")
        bad += 1
        continue
    for id_, row in cache.items():
        if f"{t}:{id_}" in skip:
            continue
        for col, value in row.items():
            if col in bookkeeping or col == "id":
                continue
            if not same(value, pg[id_].get(col)):
                print(f"{t} {id_} {col}: cache {value!r} db {pg[id_].get(col)!r}"[:300])
                bad += 1
                break
    print(f"  {t}: {len(cache)} rows equal")
sys.exit(1 if bad else 0)
EOF
}


# cache_py seed N | churn K: fills the cache with N rows per entity, or
# changes K random rows per entity (new content, new change_seq).
cache_py() {
    python3 - "$db" "$@" <<'EOF'
import json, random, sqlite3, sys
db, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(n * 7 + len(mode))
con = sqlite3.connect(db)
tables = ["users", "clients", "contacts", "pianos", "appointments", "timeline_entries"]
BOOL = {"is_all_day", "confirmed_by_client"}
JSONC = {"tags", "piano_ids"}
DATE = {"no_contact_until", "calculated_last_service", "calculated_next_service"}
SKIP = {"row_hash", "change_seq", "pulled_at", "deleted_at", "raw"}
def ts():
    return "2025-%02d-%02dT%02d:%02d:%02d%sZ" % (rnd.randint(1, 12), rnd.randint(1, 28),
        rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59),
        rnd.choice(["", ".123"]))
def value(col, decl, i):
    if rnd.random() < 0.08:
        return None
    if col in BOOL: return rnd.randint(0, 1)
    if col in JSONC: return json.dumps([f"t{rnd.randint(0, 9)}" for _ in range(rnd.randint(0, 3))])
    if col in DATE: return "2026-%02d-%02d" % (rnd.randint(1, 12), rnd.randint(1, 28))
    if col.endswith("_at") or col == "start": return ts()
    if decl == "INTEGER": return rnd.randint(1, 2000)
    return rnd.choice(["O'Brien", 'say "hi"', "Ève ✓ piano", "line\nbreak", "plain"]) + f" {i}"
def columns(t):
    return [(r[1], r[2]) for r in con.execute(f"pragma table_info({t})")]
def next_seq():
    con.execute("update counters set value = value + 1 where name = 'change_seq'")
    return con.execute("select value from counters where name = 'change_seq'").fetchone()[0]
def write(t, cols, i, id_):
    row = {"id": id_}
    for col, decl in cols:
        if col != "id" and col not in SKIP:
            row[col] = value(col, decl, i)
    raw = {k: (json.loads(v) if k in JSONC and v else v) for k, v in row.items()}
    row["raw"] = json.dumps(raw, sort_keys=True, separators=(",", ":"))
    row["row_hash"] = rnd.randint(-2**62, 2**62)
    row["change_seq"] = next_seq()
    row["pulled_at"] = "2026-01-21T15:00:00Z"
    row["deleted_at"] = ts() if t == "appointments" and rnd.random() < 0.05 else None
    names = list(row)
    con.execute(f"insert or replace into {t} ({','.join(names)}) values ({','.join('?' * len(names))})",
                [row[k] for k in names])
for t in tables:
    cols = columns(t)
    if mode == "seed":
        for i in range(n):
            write(t, cols, i, f"{t[:3]}_{i}")
    else:
        ids = [r[0] for r in con.execute(f"select id from {t}")]
        for i, id_ in enumerate(rnd.sample(ids, min(n, len(ids)))):
            write(t, cols, 100000 + i, id_)
con.commit()
EOF
}

gs init >/dev/null || fail "gazsync init failed"
cache_py seed "${GS_PUSH_ROWS:-400}"

if [ "$MODE" = --inner413 ]; then
    reset_stats
    gs push >"$GS_TMP/push.out" 2>&1 || fail "push under a 30 kB limit exited $?: $(cat "$GS_TMP/push.out")"
    assert_db_equals_cache
    [ "$(sqlite3 "$db" 'select count(*) from push_failures')" = 0 ] \
        || fail "413 quarantined rows"
    n413=$(double GET stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["by_status"].get("413", 0))')
    [ "$n413" -ge 1 ] || fail "no 413 seen: the limit did not bite"
    pass "413: batches split by size, every row landed, none quarantined ($n413 413s)"
    exit 0
fi

# ---- first push ---------------------------------------------------------
reset_stats
total=0
for t in users clients contacts pianos appointments timeline_entries; do
    total=$((total + $(pending "$t")))
done
start=$(date +%s.%N)
gs push >"$GS_TMP/push1.out" 2>&1 || fail "first push exited $?: $(cat "$GS_TMP/push1.out")"
end=$(date +%s.%N)
double GET stats >"$GS_TMP/stats1.json"
assert_db_equals_cache
pass "first push: $total rows in $(dstat) requests, $(python3 -c "print(round($end-$start,2))")s; database equals cache"
[ "$(sql 'select count(*) from gazsync_runs')" -ge 1 ] || fail "no run in gazsync_runs"
pass "the run log reached gazsync_runs"
if [ -n "${GS_PUSH_DEBUG:-}" ]; then cat "$GS_TMP/stats1.json" "$GS_TMP/push1.out"; fi

# ---- second push: nothing pending, no request ---------------------------
sql "update gazelle_clients set staff_notes = 'hand ' || external_id"
reset_stats
gs push >"$GS_TMP/push2.out" 2>&1 || fail "second push exited $?"
[ "$(dstat)" = 0 ] || fail "second push made $(dstat) requests"
pass "second push with no change: 0 requests (double's count)"

# ---- some rows changed: only those, ceil(changed/batch) requests -----------
cache_py churn 30
batch=7
declare -A want
for t in users clients contacts pianos appointments timeline_entries; do
    want[$t]=$(( ($(pending "$t") + batch - 1) / batch ))
done
reset_stats
gs push --batch $batch >"$GS_TMP/push3.out" 2>&1 || fail "push after a day exited $?"
for t in users clients contacts pianos appointments timeline_entries; do
    got=$(dstat "gazelle_$t")
    [ "$got" = "${want[$t]}" ] || fail "$t: $got requests, want ${want[$t]}"
done
assert_db_equals_cache
pass "after changes: only changed rows, ceil(changed/$batch) requests per entity"
wrong=$(sql "select count(*) from gazelle_clients where staff_notes is distinct from 'hand ' || external_id")
[ "$wrong" = 0 ] || fail "$wrong clients lost their hand-set staff_notes"
pass "hand-set staff_notes kept through pushes"

# ---- 503 on one table: that entity stops, the others land -----------------
cache_py churn 25
before=$(pending pianos)
[ "$before" -gt 0 ] || fail "no piano changed in a day; the test needs one"
double POST faults '{"method":"POST","table":"gazelle_pianos","status":503}' >/dev/null
rc=0; gs push >"$GS_TMP/push503.out" 2>&1 || rc=$?
[ "$rc" = 6 ] || fail "push under 503 exited $rc, want 6 (partial)"
grep -q "gazelle_pianos" "$GS_TMP/push503.out" || fail "error does not name the table: $(cat "$GS_TMP/push503.out")"
grep -q "503" "$GS_TMP/push503.out" || fail "error does not name the status"
if grep -qF "$SUPABASE_SERVICE_ROLE_KEY" "$GS_TMP/push503.out"; then fail "key printed"; fi
[ "$(pending pianos)" = "$before" ] || fail "pianos marked pushed under 503"
[ "$(pending clients)" = 0 ] || fail "clients not pushed while pianos failed"
double DELETE faults >/dev/null
gs push >/dev/null 2>&1 || fail "push after 503 recovery exited $?"
assert_db_equals_cache
pass "503 on pianos: pianos stopped with nothing marked, others landed, next push recovered"

# ---- dropped connection, 429 with Retry-After: retried, recovered ----------
cache_py churn 25
double POST faults '[{"method":"POST","action":"close","nth":1,"count":1},
                     {"method":"POST","status":429,"retry_after":1,"nth":3,"count":1}]' >/dev/null
reset_stats
start=$(date +%s.%N)
gs push >"$GS_TMP/pushnet.out" 2>&1 || fail "push with a dropped connection and a 429 exited $?: $(cat "$GS_TMP/pushnet.out")"
end=$(date +%s.%N)
double DELETE faults >/dev/null
assert_db_equals_cache
python3 -c "import sys; sys.exit(0 if $end-$start >= 0.9 else 1)" || fail "429 Retry-After: 1 not honoured"
pass "dropped connection and 429 + Retry-After retried; database equals cache"

# ---- a bad row: quarantined while batch-mates land ------------------------
sql "alter table gazelle_pianos add constraint gs_test_year check (year is null or year < 3000)"
ids=$(sqlite3 "$db" "select id from pianos where deleted_at is null order by id limit 3")
bad_id=$(echo "$ids" | sed -n 1p)
sqlite3 "$db" "
  update counters set value = value + 1 where name = 'change_seq';
  update pianos set year = 5000, change_seq = (select value from counters where name = 'change_seq') where id = '$bad_id';
  update counters set value = value + 1 where name = 'change_seq';
  update pianos set year = 2345, change_seq = (select value from counters where name = 'change_seq')
    where id in ($(echo "$ids" | sed -n '2,3p' | sed "s/.*/'&'/" | paste -sd,));"
rc=0; gs push pianos >"$GS_TMP/pushbad.out" 2>&1 || rc=$?
[ "$rc" = 4 ] || fail "push with a bad row exited $rc, want 4: $(cat "$GS_TMP/pushbad.out")"
[ "$(sqlite3 "$db" "select id || ' ' || http_status || ' ' || code from push_failures")" = "$bad_id 400 23514" ] \
    || fail "push_failures: $(sqlite3 "$db" 'select * from push_failures')"
[ "$(sql "select count(*) from gazelle_pianos where year = 2345")" = 2 ] || fail "batch-mates did not land"
[ "$(sql "select count(*) from gazelle_pianos where year = 5000")" = 0 ] || fail "the bad row landed"
[ "$(pending pianos)" = 0 ] || fail "pianos not advanced past the quarantined row"
assert_db_equals_cache "pianos:$bad_id"
pass "bad row quarantined (400 23514) while its batch-mates landed"
sql "alter table gazelle_pianos drop constraint gs_test_year"
gs push >/dev/null 2>&1 || fail "push after dropping the constraint exited $?"
[ "$(sqlite3 "$db" 'select count(*) from push_failures')" = 0 ] || fail "quarantine not cleared"
assert_db_equals_cache
pass "quarantined row retried and landed once the database accepts it"

# ---- kill -9 mid-push, then push again -----------------------------------
sqlite3 "$db" "delete from push_state"   # everything pending again
sql "update gazelle_pianos set make = 'stale'; update gazelle_clients set company_name = 'stale'"
double POST faults '{"method":"POST","action":"delay","delay_ms":150}' >/dev/null
# gazsync itself in the background, not a subshell running it: kill -9 must
# reach the push (before the run lock, killing the subshell left the push
# running beside the next one).
"$GAZSYNC" --db "$db" push --batch 20 >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -9 "$pid" 2>/dev/null || fail "push finished before the kill; slow it down"
wait "$pid" 2>/dev/null || true
double DELETE faults >/dev/null
gs push >"$GS_TMP/pushkill.out" 2>&1 || fail "push after kill -9 exited $?: $(cat "$GS_TMP/pushkill.out")"
assert_db_equals_cache
pass "kill -9 mid-push then push: database equals cache, no duplicate, no loss"
