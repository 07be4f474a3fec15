#!/usr/bin/env bash
# Configuration mistakes caught before any request (issue 11): an unknown
# time zone (defect 9), a key, a section given twice or an indented line
# (defect 11), durations and dates out of range (defect 16) all exit 3 (2
# for a bad command-line flag, as for every flag) naming the file, line, key
# or flag; a .env readable by others gets a warning (defect 20). And a valid
# zone gives the window dates `TZ=zone date` gives.
source "$(dirname "$0")/lib.sh" "$1" "$2"
unset GAZSYNC_DB GAZSYNC_CONFIG GAZSYNC_NOW GAZSYNC_TIME_ZONE SUPABASE_URL \
  SUPABASE_SERVICE_ROLE_KEY GAZELLE_API_URL GAZELLE_ACCESS_TOKEN GAZELLE_API_KEY \
  GAZELLE_REFRESH_TOKEN GAZELLE_CLIENT_ID GAZELLE_CLIENT_SECRET
cd "$GS_TMP"
db="$GS_TMP/cache.db"
"$GAZSYNC" --db "$db" init >/dev/null || fail "init failed"
# An address nothing listens on: a check that lets a mistake through would
# fail there with exit 4, not 3.
export GAZELLE_API_URL=http://127.0.0.1:9/graphql/private/ GAZSYNC_MAX_ATTEMPTS=1

# expect CODE TEXT ARGS...: gazsync exits CODE and its stderr holds TEXT.
expect() {
  local want=$1 text=$2 code
  shift 2
  set +e
  "$GAZSYNC" --db "$db" "$@" >"$GS_TMP/out" 2>"$GS_TMP/err"
  code=$?
  set -e
  [ "$code" = "$want" ] || fail "gazsync $*: exit $code, want $want: $(cat "$GS_TMP/err")"
  grep -qF -- "$text" "$GS_TMP/err" || fail "gazsync $*: stderr lacks '$text': $(cat "$GS_TMP/err")"
}
ini() { printf "$1" >"$GS_TMP/g.ini"; }

# -- time zones
ini '[gazsync]\ntime_zone = America/Montrael\n'
expect 3 "g.ini:2: time_zone = 'America/Montrael' is not a known time zone" --config g.ini pull
ini '[gazsync]\ntime_zone = Mars/Olympus_Mons\n'
expect 3 "time_zone = 'Mars/Olympus_Mons'" --config g.ini status
GAZSYNC_TIME_ZONE=America/Montrael expect 3 "GAZSYNC_TIME_ZONE 'America/Montrael' is not a known time zone" pull
pass "unknown time zones: exit 3 naming the key and the value"

# The window of `status` (appointments: -60d..+90d) in each zone, at
# instants around DST changes, against `TZ=zone date`.
for zone in America/Montreal UTC Europe/Paris; do
  ini "[gazsync]\ntime_zone = $zone\n[entity.appointments]\npolicy = window=-60d..+90d\n"
  for now in 2026-03-08T06:30:00Z 2026-03-08T07:30:00Z 2026-11-01T03:59:00Z \
             2026-11-01T04:00:00Z 2026-03-29T00:30:00Z 2026-10-25T23:30:00Z; do
    sqlite3 "$db" "insert or replace into sync_state (entity, last_success, status) values ('appointments', '2026-01-01T00:00:00Z', 'ok')"
    "$GAZSYNC" --db "$db" --config g.ini --now "$now" status >"$GS_TMP/status.out" \
      || fail "status in $zone at $now failed"
    # Calendar days from the local date (date's "+N days" at local noon,
    # where a DST change cannot move the day).
    today=$(TZ=$zone date -d "$now" +%F)
    from=$(TZ=$zone date -d "$today 12:00 60 days ago" +%F)
    to=$(TZ=$zone date -d "$today 12:00 90 days" +%F)
    grep -q "window $from..$to ($zone)" "$GS_TMP/status.out" \
      || fail "$zone at $now: want window $from..$to, status says: $(grep window "$GS_TMP/status.out")"
  done
done
pass "window dates in America/Montreal, UTC, Europe/Paris across DST changes = TZ=zone date"

# -- keys and sections twice, indented lines
ini '[entity.clients]\npolicy = new-rows\nmax_age = 6h\npolicy = always\n'
expect 3 "g.ini:4: key 'policy' in [entity.clients] given twice (first at line 2)" --config g.ini pull
ini '[push]\nbatch_rows = 10\n[gazsync]\npage_size = 10\n[push]\nbatch_bytes = 5000\n'
expect 3 "g.ini:5: section [push] given twice (first at line 1)" --config g.ini pull
ini '[entity.clients]\npolicy = always\n    max_age = 6h\n'
expect 3 "g.ini:3: indented line" --config g.ini pull
pass "a key or a section twice, an indented line: exit 3 with file:line"

# -- durations and dates out of range
ini '[entity.timeline_entries]\nlookback = 2000000w\n'
expect 3 "g.ini:2: bad value for 'lookback' in [entity.timeline_entries]: '2000000w'" --config g.ini pull
expect 2 "--now '9999-12-31T23:59:59Z' is outside" --now 9999-12-31T23:59:59Z pull
expect 2 "--now wants an ISO time like 2026-01-21T15:00:00Z (a real day), not '2026-02-30'" --now 2026-02-30 pull
GAZSYNC_NOW=2026-02-30 expect 3 "GAZSYNC_NOW wants an ISO time" pull
GAZSYNC_NOW=9999-12-31T23:59:59Z expect 3 "GAZSYNC_NOW '9999-12-31T23:59:59Z' is outside" status
pass "lookback=2000000w, --now 9999-12-31T23:59:59Z, --now 2026-02-30 refused before any request"

# -- a .env readable by others
printf 'GAZELLE_API_KEY=k-123\n' >"$GS_TMP/.env"
chmod 644 "$GS_TMP/.env"
"$GAZSYNC" --db "$db" status >/dev/null 2>"$GS_TMP/err" || fail "status with a .env failed: $(cat "$GS_TMP/err")"
grep -q "warning: env file ./.env is readable by others (mode 0644).*chmod 600 ./.env" "$GS_TMP/err" \
  || fail "no warning for a 0644 .env: $(cat "$GS_TMP/err")"
chmod 640 "$GS_TMP/.env"
"$GAZSYNC" --db "$db" status >/dev/null 2>"$GS_TMP/err"
grep -q "readable by its group" "$GS_TMP/err" || fail "no warning for a 0640 .env: $(cat "$GS_TMP/err")"
chmod 600 "$GS_TMP/.env"
"$GAZSYNC" --db "$db" status >/dev/null 2>"$GS_TMP/err"
[ ! -s "$GS_TMP/err" ] || fail "a warning for a 0600 .env: $(cat "$GS_TMP/err")"
grep -q "k-123" "$GS_TMP/err" && fail "the key was printed"
pass ".env readable by group or others: a warning naming the file and chmod 600"

# -- the clock went back (defect 8): a last success in the future is due,
# and status says so (the run under --now 2031 left these stamps).
ini '[entity.pianos]\nmax_age = 6h\n'
sqlite3 "$db" "insert or replace into sync_state (entity, last_success, high_water, status) values ('pianos', '2031-06-01T00:00:00Z', '2031-06-01T00:00:00Z', 'ok'); insert or replace into meta (key, value) values ('last_full.pianos', '2031-06-01T00:00:00Z')"
"$GAZSYNC" --db "$db" --config g.ini --now 2026-12-01T12:00:00Z status >"$GS_TMP/status.out" || fail "status failed"
sed -n '/^pianos/,/^[a-z]/p' "$GS_TMP/status.out" >"$GS_TMP/pianos.out"
grep -q "next pull .*last success 2031-06-01T00:00:00Z is in the future (clock went back?): due" "$GS_TMP/pianos.out" \
  || fail "status does not say the future success is due: $(cat "$GS_TMP/pianos.out")"
grep -q "next pull      skip" "$GS_TMP/pianos.out" && fail "pianos skipped although the last success is in the future"
grep -q "last success   2031-06-01T00:00:00Z (in " "$GS_TMP/pianos.out" || fail "status does not show the success as ahead: $(cat "$GS_TMP/pianos.out")"
pass "a last success in the future (clock went back): due, and status says so"
