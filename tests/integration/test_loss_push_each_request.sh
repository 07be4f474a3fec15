#!/usr/bin/env bash
# Fails each Supabase request of a push in turn and checks nothing is lost
# (STYLE.md, Tests: "a loop that fails each one in turn").
#
# Under pg-harness (real PostgreSQL behind the PostgREST double): a cache is
# pulled from a small simulated business, its WAL checkpointed, and kept as
# the base. A clean push of a scratch copy with --batch 50 counts its M POST
# requests (the double's stats, not gazsync's) and which table each was for.
# Then, for K = 1..M, from an empty target (gazelle_* and gazsync_runs
# truncated) and a fresh copy of the base cache, the K-th POST fails, with
# GAZSYNC_MAX_ATTEMPTS=1 so that the transport's retries cannot hide it. The
# answer cycles through 503, a dropped connection, 500, 429 (Retry-After 0
# or 1), a 400 with a PostgREST error body refusing the batch and its halves
# (rows quarantined), two dropped connections in a row, and a single 400
# (the halves land). After the faulted push:
#   - a 5xx, 429 or dropped connection exits 4 or 6, quarantines nothing,
#     names the table (or the run log) it failed on, and leaves that table's
#     batch unmarked;
#   - a 400 either lands every row through the split (exit 0) or quarantines
#     the rows refused alone (exit 4, push_failures naming status 400);
#   - the target holds only rows equal to the cache, and every row the cache
#     marks pushed (compare_target.py --landed).
# Then, faults cleared, a second push exits 0 and the target equals the
# cache (same external_id set, every owned column, no duplicate), nothing is
# pending or quarantined; a third push makes no request at all.
#
# Usage: test_loss_push_each_request.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
source "$2/tests/integration/lib.sh" "$1" "$2"
unset_pull_env
BATCH=50
TABLES="users clients contacts pianos appointments timeline_entries"

sql() {
    PGOPTIONS="-c client_min_messages=warning -c timezone=UTC" \
        "${PG_BIN:+$PG_BIN/}psql" -XAtq -v ON_ERROR_STOP=1 -d "$PG_URL" -c "$1"
}
double() { curl -fsS -X "$1" "$SUPABASE_URL/__double/$2" ${3:+-H 'Content-Type: application/json' -d "$3"}; }
# dstat KEY: a figure of the double's stats (posts, fired, by_table TABLE).
dstat() {
    double GET stats | python3 -c 'import json,sys
s = json.load(sys.stdin)
if sys.argv[1] == "posts": print(s["by_method"].get("POST", 0))
elif sys.argv[1] == "requests": print(s["requests"])
else: print(s["requests_by_table"].get(sys.argv[2], 0))' "$@"
}
fired() {
    double GET faults | python3 -c 'import json,sys
d = json.load(sys.stdin)
rules = d["rules"] if isinstance(d, dict) else d
print(sum(r.get("fired", 0) for r in rules))'
}
empty_target() {
    sql "truncate $(for t in $TABLES; do printf 'gazelle_%s, ' "$t"; done) gazsync_runs"
}
# run_push NAME DB ARGS...: one push; output in NAME.out; sets RC.
run_push() {
    local name=$1 db=$2; shift 2
    set +e
    "$GAZSYNC" --db "$db" push --batch "$BATCH" "$@" >"$GS_TMP/$name.out" 2>&1
    RC=$?
    set -e
}
show() { echo "--- $1"; cat "$GS_TMP/$1.out"; }
pending() {
    local n=0 t
    for t in $TABLES; do
        n=$((n + $(sqlite3 "$1" "select count(*) from $t where change_seq >
            coalesce((select last_pushed_seq from push_state where entity='$t'), 0)")))
    done
    echo "$n"
}
compare() { python3 "$GS_SRC/tests/integration/compare_target.py" "$@"; }

# ---- the cache: a first pull of a small business ------------------------
start_sim --seed 47 --users 4 --clients 120 --pianos 130 --events 200 \
    --timeline 300 --hires-per-year 0
base="$GS_TMP/base.db"
"$GAZSYNC" --db "$base" --now "$(sim_now)" pull >"$GS_TMP/pull.out" 2>&1 \
    || { cat "$GS_TMP/pull.out"; fail "the pull that makes the cache failed"; }
# One self-contained file to copy: the WAL folded in and truncated.
sqlite3 "$base" "pragma wal_checkpoint(truncate)" >/dev/null
[ ! -s "$base-wal" ] || fail "the WAL of the base cache is not empty after a checkpoint"
cache_rows=0
for t in $TABLES; do cache_rows=$((cache_rows + $(sqlite3 "$base" "select count(*) from $t"))); done
export GAZSYNC_MAX_ATTEMPTS=1 GAZSYNC_BACKOFF_BASE_MS=1

# ---- the clean push: M requests, and which table each one is for -------
# Push order: each entity in turn, its batches in change_seq order, then the
# run log (gazsync_runs).
db="$GS_TMP/clean.db"
cp "$base" "$db"
empty_target
double POST stats/reset >/dev/null
run_push clean "$db"
[ "$RC" = 0 ] || { show clean; fail "the clean push exited $RC"; }
M=$(dstat posts)
[ "$(dstat requests)" = "$M" ] || fail "the clean push made requests other than POST"
compare "$db" --full >"$GS_TMP/cmp-clean.out" || { cat "$GS_TMP/cmp-clean.out"; fail "the clean push: target differs from the cache"; }
REQ_TABLE=()
for t in $TABLES; do
    rows=$(sqlite3 "$db" "select count(*) from $t")
    n=$(dstat by_table "gazelle_$t")
    [ "$n" = $(( (rows + BATCH - 1) / BATCH )) ] || fail "clean push: $n requests for $rows $t rows (batch $BATCH)"
    for _ in $(seq 1 "$n"); do REQ_TABLE+=("gazelle_$t"); done
done
[ "$(dstat by_table gazsync_runs)" = 1 ] || fail "clean push: $(dstat by_table gazsync_runs) run log requests, want 1"
REQ_TABLE+=(gazsync_runs)
[ "${#REQ_TABLE[@]}" = "$M" ] || fail "clean push: $M POSTs, ${#REQ_TABLE[@]} expected"
pass "clean push of $cache_rows rows: $M POST requests (batch $BATCH, run log last)"

# Every K when M is small; else every request of the first 20, then every 5th.
KS=()
for k in $(seq 1 "$M"); do
    if [ "$M" -le 60 ] || [ "$k" -le 20 ] || [ $((k % 5)) = 0 ] || [ "$k" = "$M" ]; then
        KS+=("$k")
    fi
done
BODY400='"body":{"code":"23514","message":"new row violates check constraint \"gs_loss\"","details":null,"hint":null}'
# ACTION COUNT: the answer, given to the K-th POST and the COUNT-1 after it
# (the double's `nth` fires once, so one rule per request). Eight refusals
# in a row follow a 400's halving down to single rows, which are
# quarantined; a single 400 is answered by the halving, whose halves land.
ACTIONS=('"action":"status","status":503 1'
    '"action":"close" 1'
    '"action":"status","status":500 1'
    '"action":"status","status":429,"retry_after":0 1'
    "\"action\":\"status\",\"status\":400,$BODY400 8"
    '"action":"close" 2'
    '"action":"status","status":429,"retry_after":1 1'
    "\"action\":\"status\",\"status\":400,$BODY400 1")
# rules K ACTION COUNT: the fault rules as JSON.
rules() {
    local k=$1 action=$2 count=$3 j sep=""
    printf '{"rules":['
    for j in $(seq 0 $((count - 1))); do
        printf '%s{"method":"POST","table":"*","nth":%d,%s}' "$sep" $((k + j)) "$action"
        sep=,
    done
    printf ']}'
}

faults=0 losses=0 resent=0 quarantined_runs=0
for K in "${KS[@]}"; do
    i=$((K - 1))
    table=${REQ_TABLE[$i]}
    spec=${ACTIONS[$((i % ${#ACTIONS[@]}))]}
    action=${spec% *} count=${spec##* }
    label="K=$K ($table, {${action:0:50}} x$count)"
    db="$GS_TMP/k$K.db"
    rm -f "$db" "$db-wal" "$db-shm"
    cp "$base" "$db"
    empty_target
    double DELETE faults >/dev/null
    double POST faults "$(rules "$K" "$action" "$count")" >/dev/null
    double POST stats/reset >/dev/null
    run_push "f$K" "$db"
    nfired=$(fired)
    [ "$nfired" -ge 1 ] || { show "f$K"; fail "$label: the fault did not fire"; }
    faults=$((faults + 1))
    nfail=$(sqlite3 "$db" "select count(*) from push_failures")

    # -- the faulted push.
    case "$action" in
    *'"status":400'*)
        if [ "$nfail" -gt 0 ]; then
            [ "$RC" = 4 ] || [ "$RC" = 6 ] || { show "f$K"; fail "$label: $nfail rows quarantined but exit $RC"; }
            [ "$(sqlite3 "$db" "select count(*) from push_failures where http_status <> 400 or code <> '23514'")" = 0 ] \
                || fail "$label: push_failures: $(sqlite3 "$db" 'select * from push_failures')"
            quarantined_runs=$((quarantined_runs + 1))
        elif [ "$table" = gazsync_runs ]; then
            [ "$RC" = 6 ] || { show "f$K"; fail "$label: a refused run log exited $RC, want 6"; }
        else
            [ "$RC" = 0 ] || { show "f$K"; fail "$label: nothing quarantined, every half landed, yet exit $RC"; }
            [ "$nfired" = 1 ] || fail "$label: $nfired refusals but nothing quarantined"
        fi
        ;;
    *)
        [ "$nfail" = 0 ] || fail "$label: a transient failure quarantined $nfail rows"
        if [ "$RC" = 0 ]; then
            # libcurl itself sends a request again, once, when a reused
            # keep-alive connection closes before any answer.
            case "$action $count" in *'"close" 1') ;; *) show "f$K"; fail "$label: the faulted push exited 0";; esac
            [ "$(dstat posts)" = $((M + 1)) ] || { show "f$K"; fail "$label: exit 0 after $(dstat posts) POSTs (M=$M): the fault was swallowed"; }
            resent=$((resent + 1))
        else
            [ "$RC" = 4 ] || [ "$RC" = 6 ] || { show "f$K"; fail "$label: the faulted push exited $RC, want 4 or 6"; }
            grep -q "$table" "$GS_TMP/f$K.out" || { show "f$K"; fail "$label: the output does not name $table"; }
            case "$action" in *'"status":'*)
                code=$(sed 's/.*"status":\([0-9]*\).*/\1/' <<<"$action")
                grep -q "$code" "$GS_TMP/f$K.out" || { show "f$K"; fail "$label: the output does not name HTTP $code"; };;
            esac
            st=$(sqlite3 "$db" "select status from sync_runs order by id desc limit 1")
            case "$st" in failed|partial) ;; *) fail "$label: sync_runs status '$st'";; esac
            if [ "$table" != gazsync_runs ]; then
                [ "$(pending "$db")" -gt 0 ] || fail "$label: the failed batch was marked pushed"
            fi
        fi
        ;;
    esac
    lost=0
    if ! compare "$db" --landed >"$GS_TMP/cmpf$K.out"; then
        cat "$GS_TMP/cmpf$K.out" >&2; echo "$label: after the faulted push, a row marked pushed is not in the target" >&2
        lost=1
    fi

    # -- the repair, then a push with nothing to do.
    double DELETE faults >/dev/null
    run_push "r$K" "$db"
    [ "$RC" = 0 ] || { show "r$K"; echo "$label: the repair push exited $RC" >&2; lost=1; }
    if ! compare "$db" --full >"$GS_TMP/cmpr$K.out"; then
        cat "$GS_TMP/cmpr$K.out" >&2; echo "$label: after the repair push the target differs from the cache" >&2
        lost=1
    fi
    left=$(sqlite3 "$db" "select count(*) from push_failures")
    [ "$left" = 0 ] || { echo "$label: $left rows still quarantined" >&2; lost=1; }
    [ "$(pending "$db")" = 0 ] || { echo "$label: $(pending "$db") rows still pending" >&2; lost=1; }
    double POST stats/reset >/dev/null
    run_push "z$K" "$db"
    [ "$RC" = 0 ] || { show "z$K"; echo "$label: the third push exited $RC" >&2; lost=1; }
    [ "$(dstat requests)" = 0 ] || { echo "$label: the third push made $(dstat requests) requests" >&2; lost=1; }
    losses=$((losses + lost))
    rm -f "$db" "$db-wal" "$db-shm"
done

sampled=""
[ "${#KS[@]}" = "$M" ] || sampled=" (sampled: every K up to 20, then every 5th)"
echo "K=1..$M: $faults faults, $losses losses ($quarantined_runs with rows quarantined then landed, $resent re-sent by libcurl on a dead keep-alive connection)$sampled"
[ "$quarantined_runs" -ge 1 ] || fail "no 400 quarantined a row: the quarantine path was not exercised"
[ "$losses" = 0 ] || fail "$losses of $faults faulted pushes lost or damaged data"
pass "each of the $M POSTs of a push failed in turn: nothing lost, repaired by the next push, then no request"
