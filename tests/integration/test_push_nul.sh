#!/usr/bin/env bash
# U+0000 in a Gazelle string, pushed to a real PostgreSQL behind the double
# (issue 11, defect 10, the PostgreSQL half). PostgreSQL's text and jsonb
# cannot hold it (22P05), so a row carrying one used to be refused and
# quarantined on every push. The push sends U+FFFD in its place, in the
# typed column and in raw; the cache keeps the original.
# The cache row is made by a pull from the simulator, then given a NUL the
# way the store keeps one (the text with the byte, raw with the \u0000
# escape), as a NUL-accepting pull would.
# Usage: test_push_nul.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
if [ -z "${3:-}" ]; then
    export GS_BUILD_DIR=$BUILD
    exec bash "$SRC/tools/harness/pg-harness.sh" run -- bash "$0" "$BUILD" "$SRC" --inner
fi
source "$SRC/tests/integration/lib.sh" "$BUILD" "$SRC"
db="$GS_TMP/cache.db"
pg() { "${PG_BIN:+$PG_BIN/}psql" -XAtq -v ON_ERROR_STOP=1 -d "$PG_URL" -c "$1"; }

start_sim --seed 9 --scale 0.02
"$GAZSYNC" --db "$db" pull >"$GS_TMP/pull.out" 2>&1 || fail "pull exited $?: $(cat "$GS_TMP/pull.out")"
id=$(python3 - "$db" <<'PY'
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
id_, raw = con.execute("select id, raw from clients order by id limit 1").fetchone()
node = json.loads(raw)
node["companyName"] = "Nul\x00byte"
con.execute("update counters set value = value + 1 where name = 'change_seq'")
seq = con.execute("select value from counters where name = 'change_seq'").fetchone()[0]
con.execute("update clients set company_name = ?, raw = ?, change_seq = ? where id = ?",
            ("Nul\x00byte", json.dumps(node, separators=(",", ":")), seq, id_))
con.commit()
assert "\\u0000" in con.execute("select raw from clients where id = ?", (id_,)).fetchone()[0]
print(id_)
PY
)
rc=0; "$GAZSYNC" --db "$db" push >"$GS_TMP/push.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "push of a row with U+0000 exited $rc: $(cat "$GS_TMP/push.out")"
[ "$(sqlite3 "$db" 'select count(*) from push_failures')" = 0 ] \
    || fail "quarantined: $(sqlite3 "$db" 'select id, code, message from push_failures')"
[ "$(pg "select company_name = 'Nul' || U&'\\FFFD' || 'byte' from gazelle_clients where external_id = '$id'")" = t ] \
    || fail "company_name in PostgreSQL: $(pg "select company_name from gazelle_clients where external_id = '$id'")"
[ "$(pg "select raw->>'companyName' = 'Nul' || U&'\\FFFD' || 'byte' from gazelle_clients where external_id = '$id'")" = t ] \
    || fail "raw in PostgreSQL: $(pg "select raw->>'companyName' from gazelle_clients where external_id = '$id'")"
[ "$(sqlite3 "$db" "select hex(company_name) from clients where id = '$id'")" = 4E756C0062797465 ] \
    || fail "the cache lost its original value"
pass "U+0000 reaches PostgreSQL as U+FFFD (column and raw), nothing quarantined, the cache unchanged"
