#!/usr/bin/env bash
# Fails each GraphQL request of a first pull in turn and checks nothing is
# lost (STYLE.md, Tests: "a loop that fails each one in turn").
#
# A clean first pull of a small simulated business counts its N requests
# (the simulator's stats, not gazsync's). Then, for K = 1..N, on a fresh
# cache: the K-th GraphQL request fails (the action cycles through HTTP 500,
# a dropped connection, a truncated body, a GraphQL error in a 200, an HTML
# page instead of JSON, and two dropped connections in a row), with
# GAZSYNC_MAX_ATTEMPTS=1 so that the transport's retries cannot hide the
# fault. (libcurl itself re-sends a request once when a reused keep-alive
# connection closes unanswered; such a run may succeed, and must then have
# made N+1 requests and equal the dump.) Otherwise the faulted run must:
#   - exit non-zero (4 when every entity failed, else 6 partial);
#   - record a sync_runs row `failed`/`partial` whose error names the entity
#     and the page the K-th request was for;
#   - keep what it stored: the entities before and after the failed one
#     complete, the failed one holding exactly its pages before the fault,
#     its high-water mark unset;
# and a second pull, faults cleared, must exit 0 with the cache equal to the
# simulator's dump (compare_cache.py), every sync_state row ok, no duplicate
# id. The summary line counts faults and losses.
#
# It runs twice: one page a request (pack = off), then packed (pack = on,
# engine/pull/README.md), where request K carries pages of several
# entities: the faulted run must then fail every entity it carried (their
# high-water marks unset, no more rows than upstream), leave the others
# complete, name "request K" in its error, and the repair pull must resume
# and equal the dump all the same.
#
# Usage: test_loss_pull_each_request.sh BUILD_DIR SOURCE_DIR
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset_pull_env
export GAZSYNC_MAX_ATTEMPTS=1 GAZSYNC_BACKOFF_BASE_MS=1

# Several pages for every paged entity (pages of 100), no hires and no
# timeline corrections: the dump does not move, so a cache can equal it.
PAGE=100
start_sim --seed 43 --users 4 --clients 230 --pianos 260 --events 420 \
  --timeline 1150 --hires-per-year 0 --timeline-edits-per-day 0
export GAZSYNC_MIN_INTERVAL_MS=0
# Pages of PAGE for every entity, whatever the defaults (the timeline's is
# larger), so that the rows a failed page leaves are known. The window
# covers the simulator's whole booking horizon.
for PACK in off on; do
cat >"$GS_TMP/gazsync.ini" <<INI
[gazsync]
pack = $PACK
[entity.users]
page_size = $PAGE
[entity.clients]
page_size = $PAGE
[entity.pianos]
page_size = $PAGE
[entity.appointments]
page_size = $PAGE
policy = window=-60d..+200d
[entity.timeline_entries]
page_size = $PAGE
INI
NOW=$(sim_now)
sim_get /__sim/dump >"$GS_TMP/dump.json"

# run_pull NAME DB: one pull; output in NAME.out/.err; sets RC.
run_pull() {
  set +e
  "$GAZSYNC" --db "$2" --config "$GS_TMP/gazsync.ini" --now "$NOW" pull \
    >"$GS_TMP/$1.out" 2>"$GS_TMP/$1.err"
  RC=$?
  set -e
}
show() { echo "--- stdout"; cat "$GS_TMP/$1.out"; echo "--- stderr"; cat "$GS_TMP/$1.err"; }
q() { sqlite3 "$1" "$2"; }
dump_count() {
  python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[sys.argv[2]]))' \
    "$GS_TMP/dump.json" "$1"
}

# ---- the clean pull: N requests, and which entity and page each one is ---
# gazsync pulls in a fixed order (engine/pull/pull.c pull_order); the request
# sequence is that order, each entity's pages in turn.
ORDER=(users:allUsers:users clients:allClients:clients pianos:allPianos:pianos
  appointments:allEventsBatched:events timeline_entries:allTimelineEntries:timeline)
curl -fsS -X DELETE "$SIM_URL/__sim/faults" >/dev/null
sim_post /__sim/stats/reset >/dev/null
run_pull clean "$GS_TMP/clean-$PACK.db"
[ "$RC" = 0 ] || { show clean; fail "the clean pull exited $RC"; }
assert_cache_equals_dump "$GS_TMP/clean-$PACK.db" >/dev/null
N=$(sim_stat graphqlRequests)
REQ_ENTITY=() REQ_PAGE=()
declare -A PAGES UPSTREAM
for e in "${ORDER[@]}"; do
  IFS=: read -r entity field dumpkey <<<"$e"
  PAGES[$entity]=$(sim_stat "$field")
  UPSTREAM[$entity]=$(dump_count "$dumpkey")
  [ "$PACK" = on ] && continue
  want=$(( (UPSTREAM[$entity] + PAGE - 1) / PAGE ))
  [ "$want" -ge 1 ] || want=1
  [ "${PAGES[$entity]}" = "$want" ] \
    || fail "clean pull: $entity took ${PAGES[$entity]} requests, want $want for ${UPSTREAM[$entity]} rows"
  for p in $(seq 1 "${PAGES[$entity]}"); do
    REQ_ENTITY+=("$entity"); REQ_PAGE+=("$p")
  done
done
if [ "$PACK" = on ]; then
  # Packed: far fewer requests than pages (the simulator's own counters).
  [ "$N" -lt "$(sim_stat pages)" ] || fail "packed clean pull: $N requests for $(sim_stat pages) pages"
  for k in $(seq 1 "$N"); do REQ_ENTITY+=("request"); REQ_PAGE+=("$k"); done
fi
[ "${#REQ_ENTITY[@]}" = "$N" ] || fail "the clean pull made $N requests, its entities ${#REQ_ENTITY[@]}"
UPSTREAM[contacts]=$(q "$GS_TMP/clean-$PACK.db" "select count(*) from contacts")
pass "pack=$PACK: clean first pull: $N GraphQL requests ($(sim_get /__sim/stats | python3 "$GS_SRC/tests/integration/sim_stats.py" --summary))"

# Every K when N is small; else every request of the first 20, then every 5th.
KS=()
for k in $(seq 1 "$N"); do
  if [ "$N" -le 60 ] || [ "$k" -le 20 ] || [ $(( k % 5 )) = 0 ] || [ "$k" = "$N" ]; then
    KS+=("$k")
  fi
done
# A single close on a reused connection is re-sent by libcurl (see below);
# "close" twice in a row closes the re-sent request too, so that the
# failure path of a dropped connection is taken as well.
ACTIONS=('"action":"status","status":500' '"action":"close"' '"action":"truncate"'
  '"action":"graphql_error"' '"action":"not_json"' '"action":"close","count":2')

faults=0 losses=0 resent=0
for K in "${KS[@]}"; do
  i=$(( K - 1 ))
  entity=${REQ_ENTITY[$i]} page=${REQ_PAGE[$i]}
  action=${ACTIONS[$(( i % ${#ACTIONS[@]} ))]}
  label="pack=$PACK K=$K ($entity page $page, {$action})"
  db="$GS_TMP/k$K.db"
  rm -f "$db" "$db-wal" "$db-shm"
  sim_post /__sim/faults "{\"rules\":[{\"field\":\"*\",\"nth\":$K,$action}]}" >/dev/null
  sim_post /__sim/stats/reset >/dev/null
  run_pull "f$K" "$db"
  fired=$(sim_stat faultsFired)
  case "$action" in *'"count":2'*) want_fired=2;; *) want_fired=1;; esac
  [ "$fired" = "$want_fired" ] || { show "f$K"; fail "$label: $fired faults fired, want $want_fired"; }
  faults=$((faults + 1))

  # -- the faulted run: reported, recorded, and what it stored is kept.
  # One exception: libcurl itself sends a request again, once, when a
  # reused keep-alive connection is closed before any answer (the request
  # may never have reached the server). Then the run succeeds, and the
  # simulator saw N+1 requests.
  if [ "$RC" = 0 ]; then
    sent=$(sim_stat graphqlRequests)
    [ "$sent" = $((N + 1)) ] \
      || { show "f$K"; fail "$label: the faulted pull exited 0 after $sent requests (N=$N): the fault was swallowed"; }
    assert_cache_equals_dump "$db" >/dev/null
    resent=$((resent + 1))
  else
  [ "$RC" = 6 ] || [ "$RC" = 4 ] || { show "f$K"; fail "$label: the faulted pull exited $RC, want 4 or 6"; }
  status=$(q "$db" "select status from sync_runs order by id desc limit 1")
  error=$(q "$db" "select coalesce(error,'') from sync_runs order by id desc limit 1")
  case "$status" in failed|partial) ;; *) fail "$label: sync_runs status '$status'";; esac
  if [ "$PACK" = on ]; then
    case "$error" in *"request $K:"*) ;;
      *) show "f$K"; fail "$label: sync_runs.error '$error' does not name 'request $K:'";; esac
    failed_n=0
    for e in users clients pianos appointments timeline_entries; do
      have=$(q "$db" "select count(*) from $e")
      if [ "$(q "$db" "select status from sync_state where entity='$e'")" = ok ]; then
        [ "$have" = "${UPSTREAM[$e]}" ] || { show "f$K"; fail "$label: $e is ok with $have rows, want ${UPSTREAM[$e]}"; }
      else
        failed_n=$((failed_n + 1))
        [ "$have" -le "${UPSTREAM[$e]}" ] || fail "$label: the failed $e holds $have rows, upstream ${UPSTREAM[$e]}"
        [ -z "$(q "$db" "select coalesce(high_water,'') from sync_state where entity='$e'")" ] \
          || fail "$label: the $e high-water mark was set by a failed first pull"
      fi
    done
    [ "$failed_n" -ge 1 ] || { show "f$K"; fail "$label: no entity failed"; }
    [ "$(q "$db" "select count(*) from contacts")" -le "${UPSTREAM[contacts]}" ] || fail "$label: too many contacts"
  else
    case "$error" in *"$entity page $page"*) ;;
      *) show "f$K"; fail "$label: sync_runs.error '$error' does not name '$entity page $page'";; esac
    [ "$(q "$db" "select status from sync_state where entity='$entity'")" = failed ] \
      || fail "$label: sync_state $entity is not failed"
    [ -z "$(q "$db" "select coalesce(high_water,'') from sync_state where entity='$entity'")" ] \
      || fail "$label: the $entity high-water mark was set by a failed first pull"
    for e in users clients contacts pianos appointments timeline_entries; do
      have=$(q "$db" "select count(*) from $e")
      if [ "$e" = "$entity" ]; then
        want=$(( (page - 1) * PAGE ))
      elif [ "$e" = contacts ] && [ "$entity" = clients ]; then
        # Contacts ride on the clients' pages: some, never more than upstream.
        [ "$have" -le "${UPSTREAM[contacts]}" ] || fail "$label: $have contacts"
        continue
      else
        want=${UPSTREAM[$e]}
      fi
      [ "$have" = "$want" ] || { show "f$K"; fail "$label: after the fault $e holds $have rows, want $want"; }
    done
  fi
  fi

  # -- the repair: faults cleared, one plain pull, the cache equals the dump.
  curl -fsS -X DELETE "$SIM_URL/__sim/faults" >/dev/null
  run_pull "r$K" "$db"
  lost=0
  [ "$RC" = 0 ] || { show "r$K"; echo "$label: the repair pull exited $RC" >&2; lost=1; }
  if ! python3 "$GS_SRC/tests/integration/compare_cache.py" "$db" "$GS_TMP/dump.json" \
      >"$GS_TMP/cmp$K.out"; then
    cat "$GS_TMP/cmp$K.out" >&2; echo "$label: cache differs from the dump" >&2; lost=1
  fi
  for e in users clients contacts pianos appointments timeline_entries; do
    dup=$(q "$db" "select count(*) - count(distinct id) from $e")
    [ "$dup" = 0 ] || { echo "$label: $dup duplicate ids in $e" >&2; lost=1; }
    dead=$(q "$db" "select count(*) from $e where deleted_at is not null")
    [ "$dead" = 0 ] || { echo "$label: $dead $e rows marked deleted" >&2; lost=1; }
  done
  bad=$(q "$db" "select group_concat(entity || '=' || status || ':' || coalesce(last_error,''), '; ')
                 from sync_state where status <> 'ok' or last_error is not null")
  [ -z "$bad" ] || { echo "$label: sync_state after repair: $bad" >&2; lost=1; }
  [ "$(q "$db" "select status from sync_runs order by id desc limit 1")" = ok ] \
    || { echo "$label: the repair run is not recorded ok" >&2; lost=1; }
  losses=$((losses + lost))
  rm -f "$db" "$db-wal" "$db-shm"
done

sampled=""
[ "${#KS[@]}" = "$N" ] || sampled=" (sampled: every K up to 20, then every 5th)"
echo "pack=$PACK K=1..$N: $faults faults, $losses losses ($resent re-sent by libcurl on a dead keep-alive connection)$sampled"
[ "$losses" = 0 ] || fail "$losses of $faults faulted pulls lost or damaged data"
pass "pack=$PACK: each of the $N requests of a first pull failed in turn: reported, nothing lost, repaired by the next pull"
done
