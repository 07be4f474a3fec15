#!/usr/bin/env bash
# schema/supabase.sql over a target that gazsync 1's copy created (the
# fixture), on real PostgreSQL: it applies, applies again (idempotent),
# keeps every row, the values of columns gazsync no longer writes and the
# columns people added or filled by hand, and ends with every column a fresh
# target has.
# Args: BUILD_DIR SOURCE_DIR.
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
SRC=$2
. "$2/tools/harness/testlib.sh"

FRESH_URL=$PG_URL # the harness applied the new copy here
sql "create database gs_upgrade" >/dev/null
PG_URL=${FRESH_URL/dbname=gazsync/dbname=gs_upgrade}
check "a second database to upgrade" "$(sql "select current_database()")" gs_upgrade

apply() {
    PGOPTIONS="-c client_min_messages=warning" \
        "${PG_BIN:+$PG_BIN/}psql" -XAtq -v ON_ERROR_STOP=1 -d "$PG_URL" -f "$1" >/dev/null
}

apply "$SRC/tests/integration/fixtures/supabase_v1.sql"
sql "insert into gazelle_users (external_id, first_name, phone, role) values
       ('usr_1', 'Lise', '555-0100', 'tech')" >/dev/null
sql "insert into gazelle_clients (external_id, company_name, staff_notes) values
       ('cli_1', 'Acme', 'call before noon')" >/dev/null
sql "insert into gazelle_timeline_entries (external_id, summary, created_at) values
       ('tle_1', 'Tuned', '2026-01-03T00:00:00Z')" >/dev/null
sql "alter table gazelle_pianos add column room text" >/dev/null
sql "insert into gazelle_pianos (external_id, make, room) values ('pia_1', 'Steinway', 'hall')" >/dev/null

set +e
apply "$SRC/schema/supabase.sql"; first=$?
apply "$SRC/schema/supabase.sql"; second=$?
set -e
check "the new copy applies over the old target" "$first" 0
check "and applies again (idempotent)" "$second" 0

check "rows kept" "$(sql "select (select count(*) from gazelle_users) + (select count(*) from gazelle_clients)
    + (select count(*) from gazelle_timeline_entries) + (select count(*) from gazelle_pianos)")" 4
check "columns no longer written keep their values" \
    "$(sql "select phone || ' ' || role from gazelle_users")" "555-0100 tech"
check "timeline created_at kept" "$(sql "select created_at::date from gazelle_timeline_entries")" 2026-01-03
check "hand-set staff_notes kept" "$(sql "select staff_notes from gazelle_clients")" "call before noon"
check "a column people added is kept" "$(sql "select room from gazelle_pianos")" hall
check "new columns usable" "$(sql "update gazelle_users set access_level = 'TECHNICIAN', is_schedulable = true returning access_level")" TECHNICIAN

# Every column of a fresh target exists, with the same type, in the upgraded one.
columns="select table_name || '.' || column_name || ':' || data_type
           from information_schema.columns
          where table_schema = 'public' and table_name like 'gazelle_%'
          order by 1"
sql "$columns" >"$TL_TMP/upgraded"
PG_URL=$FRESH_URL sql "$columns" >"$TL_TMP/fresh"
missing=$(comm -13 "$TL_TMP/upgraded" "$TL_TMP/fresh" | tr '\n' ' ')
check "every column of a fresh target, same type" "${missing:-none}" none
check "the fresh target has the real-schema columns" \
    "$(grep -c -E 'gazelle_users.access_level|gazelle_contacts.archived|gazelle_appointments.event_pianos' "$TL_TMP/fresh")" 3
finish
