#!/usr/bin/env bash
# Clients whose createdAt is null (nullable in the schema: gazelle-sim
# --null-created-clients) pass no createdGet/createdLet range: the census
# counts them, the ranges do not. The packed pull reads the list again whole
# (one unbounded cursor stream, as unpacked) in the same run, so those rows
# are cached and refreshed like any other, and the sweep is decided by that
# stream alone (it saw every row: nothing is marked deleted).
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset_pull_env
NULLS=4
start_sim --seed 43 --users 3 --clients 300 --pianos 200 --events 300 \
  --timeline 800 --hires-per-year 0 --timeline-edits-per-day 0 \
  --null-created-clients "$NULLS"
printf '[gazsync]\npack = on\n[entity.appointments]\npolicy = window=-60d..+200d\n' >"$GS_TMP/gazsync.ini"
db="$GS_TMP/cache.db"
gs() { "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$(sim_now)" "$@"; }
sim_ids() {
  sim_get /__sim/dump | python3 -c 'import json,sys; print("\n".join(sorted(c["id"] for c in json.load(sys.stdin)["clients"])))'
}

for night in 1 2; do
  # Stale copies of them: only a night that reads them again mends these.
  [ "$night" = 1 ] || sqlite3 "$db" "update clients set row_hash = 0 where created_at is null"
  gs pull >"$GS_TMP/pull$night.out" 2>&1 || fail "night $night exited $?: $(cat "$GS_TMP/pull$night.out")"
  grep -q "^clients .*pulled" "$GS_TMP/pull$night.out" || fail "night $night: clients not pulled: $(cat "$GS_TMP/pull$night.out")"
  nulls=$(sqlite3 "$db" "select count(*) from clients where created_at is null")
  [ "$nulls" = "$NULLS" ] || fail "night $night: $nulls clients without createdAt cached, the service has $NULLS"
  [ "$(sqlite3 "$db" "select id from clients order by id")" = "$(sim_ids)" ] \
    || fail "night $night: the cached clients differ from the service's"
  [ "$(sqlite3 "$db" "select count(*) from clients where deleted_at is not null")" = 0 ] \
    || fail "night $night: clients marked deleted"
  [ "$(sqlite3 "$db" "select status from sync_state where entity='clients'")" = ok ] || fail "night $night: clients not ok"
  [ "$(sqlite3 "$db" "select count(*) from clients where row_hash = 0")" = 0 ] \
    || fail "night $night: clients without createdAt not refreshed"
done
pass "the $NULLS clients without createdAt are read and refreshed (the list again whole) on every packed night, none swept"

