#!/usr/bin/env bash
# A packed window read whose ranges span requests never sweeps a live
# appointment that moved while it ran (engine/pull/README.md, "The
# sweep"). The window is cut by start day, one range a request; the answer
# of its first request is held (a `delay` fault) while the test reschedules
# the window's last appointment into the first range, already read, and
# books a new one into the last range, not read yet. Every range then reads
# its own count and the census still adds up; only the ranges counted again
# in the last request show that the first one grew. The moved appointment
# must stay live, the run must say why it did not sweep, and the next pull
# sweeps and holds it at its new day. With the counts riding in the last
# request, and with a learned node cap that leaves them no room (one
# request of counts alone, which counts every range: the appointment moved
# back into the last range while that range's answer is held is caught
# too). A run stopped by max_requests before the counts stores the read
# without a sweep, never as a failure every night.
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset GAZELLE_ACCESS_TOKEN GAZELLE_REFRESH_TOKEN GAZELLE_API_KEY \
  GAZSYNC_MAX_ATTEMPTS GAZSYNC_PAGE_SIZE GAZSYNC_PACK GAZSYNC_REQUEST_NODES \
  GAZSYNC_MAX_REQUESTS
LOG="$GS_TMP/requests.jsonl"
start_sim --seed 5 --users 3 --clients 60 --pianos 80 --events 400 \
  --timeline 200 --hires-per-year 0 --log-requests "$LOG"
# A page of 20 appointments a range and a request: the window's 42 are
# read in three requests, in day order.
ini() { # REQUEST_NODES
  printf '[gazsync]\npack = on\nrequest_nodes = %s\n[entity.appointments]\npolicy = window=-30d..+60d\npage_size = 20\n' "$1" >"$GS_TMP/gazsync.ini"
}
now=$(sim_now)
gs() { "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$now" pull "$@"; }
q() { sqlite3 "$db" "$1"; }
requests() { wc -l <"$LOG"; }
held() { # NAME N: the pull's Nth request logged, its answer held by the delay
  for _ in $(seq 1 200); do
    [ "$(requests)" -ge "$2" ] && break
    sleep 0.05
  done
  [ "$(requests)" = "$2" ] || fail "$1: request $2 was not held: $(requests) request(s) logged"
}

race() { # NAME REQUESTS_EXPECTED LEARNED BACK (1: moved back during request 3)
  local name=$1 expected=$2 learned=$3 back=$4 moved old_start first_day live_before pull booked decision final_day
  db="$GS_TMP/$name.db"
  gs >"$GS_TMP/$name.1.out" 2>&1 || fail "$name: first pull exited $?: $(cat "$GS_TMP/$name.1.out")"
  [ -z "$learned" ] || q "insert or replace into meta (key, value) values ('pull.request_nodes_learned', '$learned')"
  # The window's last appointment (its last range) and a day of its first.
  read -r moved old_start <<<"$(q "select id, start from appointments where deleted_at is null and start < date('$now', '+59 days') order by start desc limit 1" | tr '|' ' ')"
  first_day=$(python3 -c 'import datetime,sys; print((datetime.date.fromisoformat(sys.argv[1][:10]) - datetime.timedelta(days=28)).isoformat())' "$now")
  [ -n "$moved" ] || fail "$name: no appointment in the window's last days"
  live_before=$(q "select count(*) from appointments where deleted_at is null")

  : >"$LOG"
  sim_post /__sim/faults '{"rules":[{"field":"allEventsBatched","nth":1,"action":"delay","delay_ms":4000},{"field":"allEventsBatched","nth":3,"action":"delay","delay_ms":4000}]}' >/dev/null
  gs appointments >"$GS_TMP/$name.2.out" 2>&1 &
  pull=$!
  held "$name" 1
  sim_post "/__sim/events/move?id=$moved&to=$first_day" >/dev/null
  booked=$(sim_post "/__sim/events/book?on=${old_start:0:10}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  [ "$(requests)" = 1 ] || fail "$name: the pull went on before the edits: $(requests) request(s) logged"
  final_day=$first_day
  if [ "$back" = 1 ]; then
    held "$name" 3
    sim_post "/__sim/events/move?id=$moved&to=${old_start:0:10}" >/dev/null
    [ "$(requests)" = 3 ] || fail "$name: the pull went on before the move back"
    final_day=${old_start:0:10}
  fi
  wait "$pull" || fail "$name: the pull during the edits exited $?: $(cat "$GS_TMP/$name.2.out")"
  sim_post /__sim/faults '{"rules":[]}' >/dev/null
  [ "$(requests)" = "$expected" ] || fail "$name: the window took $(requests) request(s), not $expected"

  [ -z "$(q "select deleted_at from appointments where id='$moved' and deleted_at is not null")" ] \
    || fail "$name: the rescheduled appointment $moved was marked deleted by the read that ran while it moved"
  decision=$(q "select decision from sync_state where entity='appointments'")
  case "$decision" in *"no deletion sweep: a range's totalCount changed after it was read"*) ;;
    *) fail "$name: the read did not say why it did not sweep: '$decision'" ;; esac
  [ "$(q "select count(*) from appointments where deleted_at is not null")" = 0 ] \
    || fail "$name: appointments marked deleted: $(q "select id from appointments where deleted_at is not null")"
  pass "$name: the moved appointment stayed live in $expected requests; no sweep: a range's count moved after it was read"

  gs appointments >"$GS_TMP/$name.3.out" 2>&1 || fail "$name: the next pull exited $?: $(cat "$GS_TMP/$name.3.out")"
  decision=$(q "select decision from sync_state where entity='appointments'")
  case "$decision" in *"no deletion sweep"*) fail "$name: the quiet pull after did not sweep: '$decision'" ;; esac
  [ "$(q "select substr(start, 1, 10) from appointments where id='$moved' and deleted_at is null")" = "$final_day" ] \
    || fail "$name: the moved appointment is not live at $final_day: $(q "select start, deleted_at from appointments where id='$moved'")"
  [ "$(q "select count(*) from appointments where id='$booked' and deleted_at is null")" = 1 ] || fail "$name: the booking $booked is missing"
  [ "$(q "select count(*) from appointments where deleted_at is null")" = $((live_before + 1)) ] \
    || fail "$name: live appointments: $(q "select count(*) from appointments where deleted_at is null"), not $((live_before + 1))"
  pass "$name: the next pull swept and holds the moved appointment at $final_day and the booking"
}

CAP='{"clean_runs":0,"cost_per_node":{},"limit":0.0,"nodes":20}'
# One range a request: the counts of the first two ride in the third.
ini 20
race riding 3 "" 0
# A learned cap of 20 nodes a request leaves the counts no room in the
# last one: they go in a request of their own.
ini 21
race alone 4 "$CAP" 0
# ... and there the range read last is compared too: the appointment moved
# back into it after its page, before the counts.
race back 4 "$CAP" 1

# max_requests = 3 stops the run before the counts alone: every page is
# stored, so the read finishes without a sweep, not as a failure.
db="$GS_TMP/bounded.db"
ini 21
gs >"$GS_TMP/bounded.1.out" 2>&1 || fail "bounded: first pull exited $?: $(cat "$GS_TMP/bounded.1.out")"
q "insert or replace into meta (key, value) values ('pull.request_nodes_learned', '$CAP')"
live_before=$(q "select count(*) from appointments where deleted_at is null")
printf '[gazsync]\npack = on\nrequest_nodes = 21\nmax_requests = 3\n[entity.appointments]\npolicy = window=-30d..+60d\npage_size = 20\n' >"$GS_TMP/gazsync.ini"
: >"$LOG"
gs appointments >"$GS_TMP/bounded.2.out" 2>&1 && fail "bounded: a run stopped by max_requests exited 0"
[ "$(requests)" = 3 ] || fail "bounded: max_requests = 3 let $(requests) requests through"
grep -q "max_requests = 3 reached" "$GS_TMP/bounded.2.out" || fail "bounded: the error does not say max_requests: $(cat "$GS_TMP/bounded.2.out")"
state=$(q "select status || '|' || decision from sync_state where entity='appointments'")
case "$state" in "ok|"*"no deletion sweep: its ranges could not be counted again after the last was read"*) ;;
  *) fail "bounded: appointments left '$state' by a run stopped before its counts: $(cat "$GS_TMP/bounded.2.out")" ;; esac
grep -q "^appointments .*pulled" "$GS_TMP/bounded.2.out" || fail "bounded: appointments not pulled: $(cat "$GS_TMP/bounded.2.out")"
[ "$(q "select count(*) from appointments where deleted_at is null")" = "$live_before" ] || fail "bounded: live appointments changed"
pass "bounded: max_requests before the counts: appointments pulled in 3 requests, stored without a sweep"
