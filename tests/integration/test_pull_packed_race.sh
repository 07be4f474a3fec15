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
# without a sweep, never as a failure every night. A range grown past its
# page, read beside the next, sweeps nothing (an appointment moved forward
# from its unread page is in no count), and a stopped run never leaves a
# read "running".
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset_pull_env
LOG="$GS_TMP/requests.jsonl"
start_sim --seed 5 --users 3 --clients 60 --pianos 80 --events 400 \
  --timeline 200 --hires-per-year 0 --log-requests "$LOG"
# A page of 20 appointments a range and a request: the window's 42 are
# read in three requests, in day order.
ini() { # REQUEST_NODES [MAX_REQUESTS]
  printf '[gazsync]\npack = on\nrequest_nodes = %s\nmax_requests = %s\n[entity.appointments]\npolicy = window=-30d..+60d\npage_size = 20\n' "$1" "${2:-0}" >"$GS_TMP/gazsync.ini"
}
now=$(sim_now)
gs() { "$GAZSYNC" --db "$db" --config "$GS_TMP/gazsync.ini" --now "$now" pull "$@"; }
q() { sqlite3 "$db" "$1"; }
requests() { wc -l <"$LOG"; }
out_day=$(python3 -c 'import datetime,sys; print((datetime.date.fromisoformat(sys.argv[1][:10]) + datetime.timedelta(days=200)).isoformat())' "$now")
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
ini 21 3
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

# A range that grew past its page since the cache was read (20 bookings on
# the window's first day) is read alongside the next: an appointment moved
# from its unread page into the next range, with one leaving that range and
# one booked in its place, is in no count. The read sweeps nothing.
db="$GS_TMP/forward.db"
ini 40
gs >"$GS_TMP/forward.1.out" 2>&1 || fail "forward: first pull exited $?: $(cat "$GS_TMP/forward.1.out")"
first_day=$(q "select substr(min(start), 1, 10) from appointments where deleted_at is null and start >= date('$now', '-30 days')")
for _ in $(seq 1 20); do sim_post "/__sim/events/book?on=$first_day" >/dev/null; done
: >"$LOG"
sim_post /__sim/faults '{"rules":[{"field":"allEventsBatched","nth":1,"action":"delay","delay_ms":4000}]}' >/dev/null
gs appointments >"$GS_TMP/forward.2.out" 2>&1 &
pull=$!
held forward 1
# The first two ranges, as the held request asked them.
read -r a_hi b_lo b_hi <<<"$(python3 -c '
import json, sys
v = json.loads(open(sys.argv[1]).readline())["variables"]
f = [v[k] for k in sorted(v) if k.endswith("_filters") and v[k.replace("filters", "first")] > 1]
print(f[0]["endOn"], f[1]["startOn"], f[1]["endOn"])' "$LOG")"
read -r moved moved_start <<<"$(q "select id, start from appointments where deleted_at is null and start >= '$first_day' and substr(start, 1, 10) <= '$a_hi' order by start desc limit 1" | tr '|' ' ')"
leaving=$(q "select id from appointments where deleted_at is null and substr(start, 1, 10) between '$b_lo' and '$b_hi' order by start limit 1")
[ -n "$moved" ] && [ -n "$leaving" ] || fail "forward: no appointment to move in $first_day..$a_hi or $b_lo..$b_hi"
sim_post "/__sim/events/move?id=$moved&to=$b_lo" >/dev/null
sim_post "/__sim/events/move?id=$leaving&to=$out_day" >/dev/null
sim_post "/__sim/events/book?on=${moved_start:0:10}" >/dev/null
[ "$(requests)" = 1 ] || fail "forward: the pull went on before the edits"
wait "$pull" || fail "forward: the pull exited $?: $(cat "$GS_TMP/forward.2.out")"
sim_post /__sim/faults '{"rules":[]}' >/dev/null
[ -z "$(q "select deleted_at from appointments where id='$moved' and deleted_at is not null")" ] \
  || fail "forward: the appointment $moved moved forward was marked deleted"
decision=$(q "select decision from sync_state where entity='appointments'")
case "$decision" in *"no deletion sweep: a range was begun before an earlier one was finished"*) ;;
  *) fail "forward: the read did not say why it did not sweep: '$decision'" ;; esac
pass "forward: a range grown past its page, read beside the next: the appointment moved forward stayed live, no sweep"

# A refused request (413) carrying the last page and the counts is split;
# max_requests stops the run at the counts. Meanwhile an appointment left
# the window, so the census counts more than the ranges: the read would be
# read again whole. The stopped run fails it, never leaves it running.
db="$GS_TMP/split.db"
ini 20
gs >"$GS_TMP/split.1.out" 2>&1 || fail "split: first pull exited $?: $(cat "$GS_TMP/split.1.out")"
moved=$(q "select id from appointments where deleted_at is null and start < date('$now', '+59 days') order by start desc limit 1")
ini 20 4
: >"$LOG"
sim_post /__sim/faults '{"rules":[{"field":"allEventsBatched","nth":1,"action":"delay","delay_ms":4000},{"field":"allEventsBatched","nth":3,"action":"status","status":413}]}' >/dev/null
gs appointments >"$GS_TMP/split.2.out" 2>&1 &
pull=$!
held split 1
sim_post "/__sim/events/move?id=$moved&to=$out_day" >/dev/null
wait "$pull" && fail "split: a run stopped by max_requests exited 0"
sim_post /__sim/faults '{"rules":[]}' >/dev/null
state=$(q "select status from sync_state where entity='appointments'")
[ "$state" = failed ] || fail "split: appointments left '$state' by the stopped run: $(cat "$GS_TMP/split.2.out")"
grep -q "^appointments .*FAILED" "$GS_TMP/split.2.out" || fail "split: appointments not reported: $(cat "$GS_TMP/split.2.out")"
ini 20
gs appointments >"$GS_TMP/split.3.out" 2>&1 || fail "split: the next run exited $?: $(cat "$GS_TMP/split.3.out")"
[ "$(q "select status from sync_state where entity='appointments'")" = ok ] || fail "split: the next run did not finish appointments"
pass "split: a read due to be read again whole when the run stopped is failed, and the next run finishes it"
