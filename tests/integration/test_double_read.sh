#!/usr/bin/env bash
# The double's reads return what SQL returns: filters (eq neq gt gte lt lte
# in is.null, not.), order (asc/desc, nulls first/last), limit, offset,
# select with aliases, and Prefer: count=exact with PostgREST's Content-Range
# and 200/206/416. Args: BUILD_DIR SOURCE_DIR.
set -euo pipefail
source "$2/tests/integration/lib_pg.sh"
pg_harness "$1" "$2" "${3:-}"
. "$2/tools/harness/testlib.sh"

sql "insert into gazelle_pianos (external_id, client_id, make, year, tags, updated_at)
     select 'p' || i, 'c' || (i % 7), (array['Steinway','Yamaha','Kawai',null])[1 + i % 4],
            case when i % 5 = 0 then null else 1950 + i end,
            jsonb_build_array('t' || (i % 3)),
            timestamptz '2024-01-01 00:00:00+00' + i * interval '1 hour'
       from generate_series(1, 123) i" >/dev/null

# compare NAME QUERY SQL_SELECT: the double's array equals json_agg of the SQL.
compare() {
    local name=$1 query=$2 select=$3
    rest GET "/rest/v1/gazelle_pianos?$query"
    local expected
    expected=$(sql "select coalesce(json_agg(t), '[]') from ($select) t")
    check "$name: 200 or 206" "$([ "$STATUS" = 200 ] || [ "$STATUS" = 206 ] && echo ok)" ok
    check_json "$name: rows as SQL" "$BODY" "$expected"
}
compare "eq" "select=external_id,year&make=eq.Kawai&order=id" \
    "select external_id, year from gazelle_pianos where make = 'Kawai' order by id"
compare "neq" "select=external_id&make=neq.Kawai&order=id" \
    "select external_id from gazelle_pianos where make <> 'Kawai' order by id"
compare "gt lt on bigint" "select=external_id,year&year=gt.1990&year=lt.2000&order=year" \
    "select external_id, year from gazelle_pianos where year > 1990 and year < 2000 order by year"
compare "gte lte on timestamptz" \
    "select=external_id,updated_at&updated_at=gte.2024-01-02T00:00:00Z&updated_at=lte.2024-01-02T05:00:00%2B00:00&order=updated_at.desc" \
    "select external_id, updated_at from gazelle_pianos where updated_at between '2024-01-02T00:00:00Z' and '2024-01-02T05:00:00+00:00' order by updated_at desc"
compare "in" "select=external_id&external_id=in.(p1,%22p2%22,p99,nope)&order=external_id" \
    "select external_id from gazelle_pianos where external_id in ('p1','p2','p99','nope') order by external_id"
compare "is.null" "select=external_id&year=is.null&order=id" \
    "select external_id from gazelle_pianos where year is null order by id"
compare "not.is.null" "select=external_id&make=not.is.null&order=id&limit=5" \
    "select external_id from gazelle_pianos where make is not null order by id limit 5"
compare "order desc nullsfirst, second key" \
    "select=external_id,make,year&order=make.desc.nullsfirst,year.asc&limit=20" \
    "select external_id, make, year from gazelle_pianos order by make desc nulls first, year asc limit 20"
compare "order asc nullslast" "select=external_id,year&order=year.asc.nullslast,id&offset=100" \
    "select external_id, year from gazelle_pianos order by year asc nulls last, id offset 100"
compare "limit and offset" "select=external_id&order=id&limit=10&offset=30" \
    "select external_id from gazelle_pianos order by id limit 10 offset 30"
compare "alias" "select=key:external_id,built:year&order=id&limit=3" \
    "select external_id as key, year as built from gazelle_pianos order by id limit 3"
compare "jsonb eq" "select=external_id&tags=eq.%5B%22t1%22%5D&order=id" \
    "select external_id from gazelle_pianos where tags = '[\"t1\"]' order by id"
compare "all columns" "order=id&limit=2" "select * from gazelle_pianos order by id limit 2"

# -- count=exact and ranges
total=$(sql "select count(*) from gazelle_pianos where client_id = 'c3'")
rest GET "/rest/v1/gazelle_pianos?select=id&client_id=eq.c3&order=id&limit=5" -H 'Prefer: count=exact'
check "count=exact partial page: 206" "$STATUS" 206
check "Content-Range 0-4/total" "$(header Content-Range)" "0-4/$total"
rest GET "/rest/v1/gazelle_pianos?select=id&client_id=eq.c3&limit=5&offset=5" -H 'Prefer: count=exact'
check "Content-Range with offset" "$(header Content-Range)" "5-9/$total"
rest GET "/rest/v1/gazelle_pianos?select=id&client_id=eq.c3" -H 'Prefer: count=exact'
check "count=exact whole set: 200" "$STATUS" 200
check "Content-Range whole set" "$(header Content-Range)" "0-$((total - 1))/$total"
rest GET "/rest/v1/gazelle_pianos?select=id&client_id=eq.none" -H 'Prefer: count=exact'
check "empty with count: 200 */0" "$STATUS $(header Content-Range) $BODY" "200 */0 []"
rest GET "/rest/v1/gazelle_pianos?select=id&limit=3"
check "no count: 200 0-2/*" "$STATUS $(header Content-Range)" "200 0-2/*"
rest GET "/rest/v1/gazelle_pianos?select=id&offset=1000" -H 'Prefer: count=exact'
check "offset past the end with count: 416 PGRST103" "$STATUS/$(json 'j["code"]')" 416/PGRST103
rest HEAD "/rest/v1/gazelle_pianos?make=eq.Yamaha" -H 'Prefer: count=exact'
check "HEAD count" "$STATUS $(header Content-Range)" "200 0-$(( $(sql "select count(*) from gazelle_pianos where make='Yamaha'") - 1 ))/$(sql "select count(*) from gazelle_pianos where make='Yamaha'")"

# -- Accept: application/vnd.pgrst.object+json (supabase-js .single())
rest GET "/rest/v1/gazelle_pianos?select=external_id&external_id=eq.p7" -H 'Accept: application/vnd.pgrst.object+json'
check "single row as an object" "$STATUS $BODY" '200 {"external_id":"p7"}'
rest GET "/rest/v1/gazelle_pianos?select=external_id&make=eq.Kawai" -H 'Accept: application/vnd.pgrst.object+json'
check "several rows with .single(): 406 PGRST116" "$STATUS/$(json 'j["code"]')" 406/PGRST116
rest PATCH "/rest/v1/gazelle_pianos?make=eq.Kawai" -H 'Accept: application/vnd.pgrst.object+json' \
    -H 'Prefer: return=representation' -d '{"notes":"rolled back"}'
check "singular write of several rows: 406, rolled back" \
    "$STATUS $(sql "select count(*) from gazelle_pianos where notes = 'rolled back'")" "406 0"

# -- errors
rest GET "/rest/v1/gazelle_pianos?shoe=eq.1"
check "unknown filter column: 400 42703" "$STATUS/$(json 'j["code"]')" 400/42703
rest GET "/rest/v1/gazelle_pianos?select=shoe"
check "unknown select column: 400 42703" "$STATUS/$(json 'j["code"]')" 400/42703
rest GET "/rest/v1/gazelle_pianos?year=eq.abc"
check "bad value: 400 22P02" "$STATUS/$(json 'j["code"]')" 400/22P02
rest GET "/rest/v1/gazelle_pianos?year=between.1"
check "unknown operator: 400 PGRST100" "$STATUS/$(json 'j["code"]')" 400/PGRST100
rest GET "/rest/v1/gazelle_pianos?external_id=eq.x%27%3Bdrop%20table%20gazelle_pianos%3B--"
check "a value is never SQL" "$STATUS $BODY $(sql 'select count(*) from gazelle_pianos')" "200 [] 123"
rest GET "/rest/v1/gazelle_pianos" -H 'Accept-Profile: private'
check "other schema: 406 PGRST106" "$STATUS/$(json 'j["code"]')" 406/PGRST106
rest GET "/rest/v1/gazelle_pianos?select=external_id&limit=1" -H 'Accept-Profile: public'
check "Accept-Profile public" "$STATUS" 200

finish
