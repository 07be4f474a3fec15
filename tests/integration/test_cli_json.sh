#!/usr/bin/env bash
# --json (issue 15): pull, push, push --dry-run and sync each print one JSON
# document on stdout holding the fields docs/cli.md documents, with values
# that agree with the cache, the target and the exit code; a failing run
# still prints its document (status failed, error set, the exit code);
# status --json counts age_s from --now. push --dry-run works with no
# Supabase settings at all.
# Usage: test_cli_json.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
source "$2/tests/integration/lib.sh" "$1" "$2"
start_sim --seed 12 --scale 0.05
db="$GS_TMP/cache.db"
now=$(sim_now)
gs() { "$GAZSYNC" --db "$db" --now "$now" "$@"; }
# check_json FILE PYTHON-EXPR...: each expression over d (the document) is true.
check_json() {
  local file=$1; shift
  python3 - "$file" "$@" <<'PY' || fail "$file: $(head -c 400 "$file")"
import json, sys
d = json.load(open(sys.argv[1]))
for expr in sys.argv[2:]:
    if not eval(expr):
        print("not true: " + expr, file=sys.stderr)
        sys.exit(1)
PY
}
common=('d["version"] == 1' 'isinstance(d["seconds"], float)'
        'set(d) >= {"version","command","status","exit_code","run_id","seconds","error"}')

gs pull --json >"$GS_TMP/pull.json" 2>"$GS_TMP/pull.err" || fail "pull --json exited $?"
rows=$(sqlite3 "$db" "select count(*) from clients")
check_json "$GS_TMP/pull.json" "${common[@]}" 'd["command"] == "pull"' 'd["status"] == "ok"' \
  'd["exit_code"] == 0' 'd["error"] is None' 'isinstance(d["run_id"], int)' '"push" not in d' \
  'd["pull"]["entities"]["clients"]["decision"] == "pulled"' \
  "d[\"pull\"][\"entities\"][\"clients\"][\"rows_changed\"] == $rows" \
  'd["pull"]["gazelle_requests"] >= 5' \
  'all(set(e) >= {"decision","reason","pages","requests","rows_seen","rows_changed","rows_deleted","seconds"} for e in d["pull"]["entities"].values())'
run_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$GS_TMP/pull.json")
[ "$(sqlite3 "$db" "select command from sync_runs where id = $run_id")" = pull ] || fail "run_id is not the sync_runs row"
pass "pull --json: documented fields, counts as in the cache"

( unset SUPABASE_URL SUPABASE_SERVICE_ROLE_KEY
  gs push --dry-run --json >"$GS_TMP/dry.json" 2>"$GS_TMP/dry.err" ) || fail "push --dry-run without Supabase settings: $(cat "$GS_TMP/dry.err")"
pending=$(sqlite3 "$db" "select count(*) from clients")
check_json "$GS_TMP/dry.json" "${common[@]}" 'd["command"] == "push"' 'd["push"]["dry_run"] is True' \
  'd["run_id"] is None' "d[\"push\"][\"entities\"][\"clients\"][\"rows_pending\"] == $pending" \
  'd["push"]["rows_pushed"] == 0'
pass "push --dry-run --json without Supabase settings"

gs push --json >"$GS_TMP/push.json" 2>"$GS_TMP/push.err" || fail "push --json exited $?: $(cat "$GS_TMP/push.err")"
target=$("$PG_BIN/psql" -XAtq -d "$PG_URL" -c "select count(*) from gazelle_clients")
check_json "$GS_TMP/push.json" "${common[@]}" 'd["command"] == "push"' 'd["status"] == "ok"' \
  'd["push"]["dry_run"] is False' "d[\"push\"][\"entities\"][\"clients\"][\"rows_pushed\"] == $target" \
  'd["push"]["rows_pushed"] == sum(e["rows_pushed"] for e in d["push"]["entities"].values())' \
  'd["push"]["requests"] >= 1'
pass "push --json: rows_pushed equals the target's rows"

gs sync --json >"$GS_TMP/sync.json" 2>"$GS_TMP/sync.err" || fail "sync --json exited $?"
check_json "$GS_TMP/sync.json" "${common[@]}" 'd["command"] == "sync"' 'd["status"] == "ok"' \
  '"entities" in d["pull"] and "entities" in d["push"]' 'd["push"]["rows_pushed"] == 0'
pass "sync --json: both halves"

rc=0
GAZELLE_API_URL=http://127.0.0.1:1/graphql/private/ gs pull --force clients --json \
  >"$GS_TMP/fail.json" 2>"$GS_TMP/fail.err" || rc=$?
[ "$rc" = 4 ] || fail "a pull from a dead host exited $rc, not 4"
check_json "$GS_TMP/fail.json" "${common[@]}" 'd["status"] == "failed"' 'd["exit_code"] == 4' \
  'isinstance(d["error"], str) and "127.0.0.1:1" in d["error"]' \
  'd["pull"]["entities"]["clients"]["decision"] == "failed"'
pass "a failed pull: its document, status failed, exit 4 (not partial)"

last=$(sqlite3 "$db" "select last_success from sync_state where entity = 'clients'")
later=$(python3 -c 'import datetime,sys; t=datetime.datetime.strptime(sys.argv[1][:19],"%Y-%m-%dT%H:%M:%S"); print((t+datetime.timedelta(seconds=7200)).strftime("%Y-%m-%dT%H:%M:%SZ"))' "$last")
"$GAZSYNC" --db "$db" --now "$later" status --json >"$GS_TMP/status.json"
check_json "$GS_TMP/status.json" 'd["clients"]["age_s"] == 7200'
pass "status --json: age_s counts from --now"
