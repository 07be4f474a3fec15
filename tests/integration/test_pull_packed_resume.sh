#!/usr/bin/env bash
# kill -9 in the middle of a packed first pull, then a new run: every full
# read resumes from each range's cursor (meta pull.ranges.<entity>, written
# with the pages of each answer), sweeps nothing (it spans two runs), and
# the cache ends equal to an uninterrupted packed pull's, row for row, with
# no duplicate, no loss and no row marked deleted; the resumed run reads
# fewer pages than a whole one (the simulator's counters).
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset_pull_env
start_sim --seed 31 --users 5 --clients 900 --pianos 900 --events 1500 \
  --timeline 5000 --hires-per-year 0 --timeline-edits-per-day 0
# Small requests, so that the pull takes many of them.
cat >"$GS_TMP/gazsync.ini" <<INI
[gazsync]
pack = on
request_nodes = 600
[entity.appointments]
policy = window=-60d..+200d
INI
gs() { "$GAZSYNC" --db "$1" --config "$GS_TMP/gazsync.ini" --now "$(sim_now)" pull; }
ROWS="select (select count(*) from clients) + (select count(*) from pianos) + (select count(*) from timeline_entries)"
rows() { sqlite3 "$1" "$ROWS" 2>/dev/null || echo 0; }

# The uninterrupted pull: the reference cache and its page count.
sim_post /__sim/stats/reset >/dev/null
gs "$GS_TMP/whole.db" >"$GS_TMP/whole.out" 2>&1 || fail "the uninterrupted pull exited $?: $(cat "$GS_TMP/whole.out")"
whole_pages=$(sim_stat pages) whole_requests=$(sim_stat graphqlRequests)

# Every request waits 200 ms: the pull lasts seconds, long enough to be
# caught between answers.
db="$GS_TMP/cache.db"
sim_post /__sim/faults '{"rules":[{"field":"*","every":1,"action":"delay","delay_ms":200}]}' >/dev/null
kill_pull_when "$GS_TMP/pull1.out" 1500 "$ROWS"
at_kill=$(rows "$db")
# Some full read was cut: its ranges and their cursors are checkpointed.
cut=$(sqlite3 "$db" "select group_concat(entity) from sync_state where resume_cursor = 'full|{ranges}'")
[ -n "$cut" ] || fail "no full read checkpointed in ranges after the kill: $(sqlite3 "$db" "select entity, status, resume_cursor from sync_state")"
for e in ${cut//,/ }; do
  ranges=$(sqlite3 "$db" "select value from meta where key='pull.ranges.$e'")
  python3 -c 'import json,sys; r=json.loads(sys.argv[1])["ranges"]; assert r and any(not x["done"] for x in r)' "$ranges" \
    || fail "$e: the checkpoint '$ranges' has no unfinished range"
  [ -z "$(sqlite3 "$db" "select coalesce(high_water,'') from sync_state where entity='$e'")" ] \
    || fail "$e: a high-water mark after a killed first pull"
done
pass "kill -9 after $at_kill rows: full reads of $cut checkpointed range by range, no mark"

curl -fsS -X DELETE "$SIM_URL/__sim/faults" >/dev/null
sim_post /__sim/stats/reset >/dev/null
gs "$db" >"$GS_TMP/pull2.out" 2>&1 || fail "the run after the kill exited $?: $(cat "$GS_TMP/pull2.out")"
resumed_pages=$(sim_stat pages)
assert_cache_equals_dump "$db" >/dev/null
for t in users clients contacts pianos appointments timeline_entries; do
  a=$(sqlite3 "$GS_TMP/whole.db" "select id||'|'||row_hash||'|'||coalesce(deleted_at,'') from $t order by id" | md5sum)
  b=$(sqlite3 "$db" "select id||'|'||row_hash||'|'||coalesce(deleted_at,'') from $t order by id" | md5sum)
  [ "$a" = "$b" ] || fail "$t differs from the uninterrupted pull's"
  [ "$(sqlite3 "$db" "select count(*) - count(distinct id) from $t")" = 0 ] || fail "duplicate $t"
  [ "$(sqlite3 "$db" "select count(*) from $t where deleted_at is not null")" = 0 ] || fail "$t rows marked deleted"
done
for e in ${cut//,/ }; do
  grep -q "^$e .*pulled" "$GS_TMP/pull2.out" || fail "$e not pulled by the resumed run: $(cat "$GS_TMP/pull2.out")"
  decision=$(sqlite3 "$db" "select decision from sync_state where entity='$e'")
  case "$decision" in *"no deletion sweep: resumed from an earlier run"*) ;;
    *) fail "$e: the resumed read swept (or did not say it did not): '$decision'";; esac
  [ "$(sqlite3 "$db" "select status || '|' || coalesce(resume_cursor,'') from sync_state where entity='$e'")" = "ok|" ] \
    || fail "$e: not ok or a checkpoint left after the resumed run"
done
[ "$resumed_pages" -lt "$whole_pages" ] || fail "the resumed run read $resumed_pages pages, a whole pull $whole_pages"
pass "the next run resumed ($resumed_pages pages against $whole_pages for a whole pull of $whole_requests requests): same cache as uninterrupted, nothing lost, no sweep on the resumed reads"
