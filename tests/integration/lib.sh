# Shared by the integration tests (sourced; not a test itself).
# Usage: source lib.sh "$BUILD_DIR" "$SOURCE_DIR"
set -euo pipefail
GS_BUILD=$(cd "$1" && pwd)
GS_SRC=$(cd "$2" && pwd)
GAZSYNC="$GS_BUILD/gazsync"
GAZELLE_SIM="$GS_BUILD/tools/gazelle-sim/gazelle-sim"
GS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/gazsync-test.XXXXXX")
GS_PIDS=()

# Only a process this shell has not reaped yet is still ours: pid_max is
# 32768 here, and a test suite wraps it, so a pid kept after its process was
# waited for can name another test's simulator by the time we clean up.
gs_cleanup() {
  local pid live
  live=" $(jobs -p | tr '\n' ' ') "
  for pid in "${GS_PIDS[@]}"; do
    case "$live" in
      *" $pid "*) kill "$pid" 2>/dev/null || true
                  wait "$pid" 2>/dev/null || true ;;
    esac
  done
  rm -rf "$GS_TMP"
}
trap gs_cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# Every synced entity, in the order gazsync reports them.
GS_ENTITIES="users clients contacts pianos appointments timeline_entries"

# The caller's own credentials and pull settings must not steer the pull
# under test (a token the simulator would refuse, a page size or packing of
# someone's shell): each test sets what it means.
unset_pull_env() {
  unset GAZELLE_ACCESS_TOKEN GAZELLE_REFRESH_TOKEN GAZELLE_API_KEY \
    GAZELLE_CLIENT_ID GAZELLE_CLIENT_SECRET GAZSYNC_MAX_ATTEMPTS \
    GAZSYNC_PAGE_SIZE GAZSYNC_PACK GAZSYNC_REQUEST_NODES GAZSYNC_MAX_REQUESTS
}

# Starts gazelle-sim with the given flags; sets SIM_URL and exports the
# environment gazsync reads to reach it.
start_sim() {
  local out="$GS_TMP/sim.${#GS_PIDS[@]}.out"
  "$GAZELLE_SIM" --port 0 "$@" >"$out" 2>"$GS_TMP/sim.err" &
  GS_PIDS+=($!)
  for _ in $(seq 1 200); do
    if [ -s "$out" ]; then break; fi
    sleep 0.05
  done
  SIM_URL=$(head -n 1 "$out")
  case "$SIM_URL" in http://127.0.0.1:*) ;; *) fail "gazelle-sim did not start: $(cat "$GS_TMP/sim.err")";; esac
  export GAZELLE_API_URL="$SIM_URL/graphql/private/"
  export GAZSYNC_MIN_INTERVAL_MS=0
  export GAZSYNC_BACKOFF_BASE_MS=20
}

sim_get() { curl -fsS "$SIM_URL$1"; }
sim_post() { curl -fsS -X POST "$SIM_URL$1" ${2:+-H 'Content-Type: application/json' -d "$2"}; }

# Prints the number of requests the simulator answered for a root field.
sim_requests() {
  sim_get /__sim/stats | python3 "$GS_SRC/tests/integration/sim_stats.py" "$1"
}

# Prints one of the simulator's counters: a top-level one (graphqlRequests,
# pages, limitRefusals, ...), else the requests answered for a root field.
sim_stat() {
  sim_get /__sim/stats | python3 -c 'import json,sys
s = json.load(sys.stdin)
print(s[sys.argv[1]] if sys.argv[1] in s else s["byRootField"].get(sys.argv[1], 0))' "$1"
}

# Asserts the cache at $1 holds exactly the simulator's dataset (extra
# arguments go to compare_cache.py).
assert_cache_equals_dump() {
  local db=$1; shift
  sim_get /__sim/dump >"$GS_TMP/dump.json"
  python3 "$GS_SRC/tests/integration/compare_cache.py" "$db" "$GS_TMP/dump.json" "$@" \
    || fail "cache differs from the simulator's dump"
}

# same_rows DB_A DB_B TABLE: true when both caches hold the same rows of
# TABLE, row for row (id, content hash, deletion mark).
same_rows() {
  local a b q="select id||'|'||row_hash||'|'||coalesce(deleted_at,'') from $3 order by id"
  a=$(sqlite3 "$1" "$q" | md5sum)
  b=$(sqlite3 "$2" "$q" | md5sum)
  [ "$a" = "$b" ]
}

# gs_named NAME ARGS...: gazsync on the cache $GS_TMP/NAME.db with the
# config $GS_TMP/NAME.ini, at the simulator's clock.
gs_named() {
  local name=$1; shift
  "$GAZSYNC" --db "$GS_TMP/$name.db" --config "$GS_TMP/$name.ini" --now "$(sim_now)" "$@"
}

# kill_pull_when OUT MIN SQL: `gazsync pull` on $db with $GS_TMP/gazsync.ini
# in the background (gazsync itself, not a subshell: kill -9 must reach it),
# its output in OUT, killed with SIGKILL once SQL on $db answers MIN or
# more; fails if the pull ends first or outlives the kill.
kill_pull_when() {
  local out=$1 min=$2 sql=$3 pid n=0
  "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$(sim_now)" pull >"$out" 2>&1 &
  pid=$!
  GS_PIDS+=("$pid")
  for _ in $(seq 1 400); do
    n=$(sqlite3 "$db" "$sql" 2>/dev/null || echo 0)
    if [ "${n:-0}" -ge "$min" ]; then
      kill -9 "$pid"
      wait "$pid" 2>/dev/null || true
      ! kill -0 "$pid" 2>/dev/null || fail "gazsync $pid survived kill -9"
      [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = "" ] || fail "gazsync still running"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  wait "$pid" 2>/dev/null || true
  fail "the pull ended before it could be killed ('$sql' at $n, not $min): $(cat "$out")"
}

# The simulator's clock, for gazsync --now (the appointment window follows it).
sim_now() { sim_get /__sim/stats | python3 "$GS_SRC/tests/integration/sim_stats.py" --now; }
