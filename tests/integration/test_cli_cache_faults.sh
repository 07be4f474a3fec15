#!/usr/bin/env bash
# Cache faults stop the run and exit 7, never "partial" (issue 11, defect
# 12): a corrupt page in the clients table, and a full disk (the file-size
# limit of `ulimit -f` with SIGXFSZ ignored makes write() fail with EFBIG
# where a full disk gives ENOSPC; SQLite reports the first as
# SQLITE_IOERR_WRITE, the second as SQLITE_FULL, and both are cache errors.
# PRAGMA max_page_count cannot stand in: it holds for one connection only). In both cases the
# run asks nothing after the failure (the simulator counts): unpacked, no
# entity after the failing one; packed (one request carries every
# entity's first pages), no request after the one whose answer could not
# be stored.
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset_pull_env
start_sim --seed 47 --users 4 --clients 400 --pianos 300 --events 300 \
  --timeline 2000 --hires-per-year 0
for pack in off on; do
cat >"$GS_TMP/gazsync.ini" <<INI
[gazsync]
pack = $pack
[entity.appointments]
policy = window=-60d..+200d
INI
db="$GS_TMP/cache.$pack.db"
now=$(sim_now)
gs() { "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$now" "$@"; }
q() { sqlite3 "$db" "$1"; }
graphql_requests() { sim_get /__sim/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["graphqlRequests"])'; }

# -- a corrupt page
gs pull >"$GS_TMP/first.out" 2>&1 || fail "first pull: $(cat "$GS_TMP/first.out")"
# The WAL is checkpointed into the file when the last connection closes;
# then every leaf page of the clients table is overwritten.
pages=$(q "select pageno from dbstat where name = 'clients' and pagetype = 'leaf'")
page_size=$(q "pragma page_size")
[ -n "$pages" ] || fail "no leaf page found for clients"
[ ! -s "$db-wal" ] || fail "the WAL is not checkpointed; overwriting pages would be undone"
for p in $pages; do
  head -c "$page_size" /dev/urandom | dd of="$db" bs="$page_size" seek=$((p - 1)) conv=notrunc status=none
done
sim_post /__sim/stats/reset >/dev/null
set +e
gs pull --force >"$GS_TMP/corrupt.out" 2>"$GS_TMP/corrupt.err"
code=$?
set -e
[ "$code" = 7 ] || fail "a corrupt clients table: exit $code, want 7: $(cat "$GS_TMP/corrupt.err")"
grep -qi "malformed\|corrupt" "$GS_TMP/corrupt.err" \
  || fail "the error does not say the cache is corrupt: $(cat "$GS_TMP/corrupt.err")"
if [ "$pack" = off ]; then
  for field in allPianos allEventsBatched allTimelineEntries; do
    [ "$(sim_requests "$field")" = 0 ] || fail "the run went on after the cache fault: $(sim_requests "$field") $field requests"
  done
else
  # the partition is counted from the cache before any request
  [ "$(graphql_requests)" = 0 ] || fail "packed: the run went on after the cache fault: $(graphql_requests) requests"
fi
echo "pack $pack, corrupt page: $(sim_get /__sim/stats | python3 "$GS_SRC/tests/integration/sim_stats.py" --summary)"
pass "pack $pack, corrupt page: exit 7, the run stopped at clients: $(grep -i 'malformed\|corrupt' "$GS_TMP/corrupt.err" | head -1)"

# -- a full disk
rm -f "$db" "$db-wal" "$db-shm"
gs init >/dev/null
size_kb=$(( $(stat -c %s "$db") / 1024 + 64 ))
sim_post /__sim/stats/reset >/dev/null
set +e
(trap '' XFSZ; ulimit -f "$size_kb"; exec "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$now" pull) \
  >"$GS_TMP/full.out" 2>"$GS_TMP/full.err"
code=$?
set -e
[ "$code" = 7 ] || fail "a full disk: exit $code, want 7: $(cat "$GS_TMP/full.err")"
grep -qi "full\|I/O error" "$GS_TMP/full.err" || fail "the error does not say the write failed: $(cat "$GS_TMP/full.err")"
if [ "$pack" = off ]; then
  [ "$(sim_requests allTimelineEntries)" = 0 ] \
    || fail "the run went on after the disk filled: $(sim_requests allTimelineEntries) timeline requests"
else
  [ "$(graphql_requests)" = 1 ] \
    || fail "packed: the run went on after the disk filled: $(graphql_requests) requests"
fi
echo "pack $pack, disk full: $(sim_get /__sim/stats | python3 "$GS_SRC/tests/integration/sim_stats.py" --summary)"
pass "pack $pack, disk full: exit 7, the run stopped: $(grep -i 'full\|I/O error' "$GS_TMP/full.err" | head -1)"

# Room again: the next run completes, the cache equals the dump.
gs pull >"$GS_TMP/after.out" 2>&1 || fail "the pull after the full disk exited $?: $(cat "$GS_TMP/after.out")"
assert_cache_equals_dump "$db"
pass "pack $pack: with room again the next run completes; cache equals dump"
done
