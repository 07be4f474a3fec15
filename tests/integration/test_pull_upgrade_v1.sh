#!/usr/bin/env bash
# A cache written by gazsync 1 (schema 1: schema/cache.sql run by sqlite3,
# rows in its columns, a delta checkpoint of the old UPDATED_AT_DESC order,
# a push checkpoint, a refreshed token) opened by this gazsync: it upgrades
# in place, and its next pull against the real-shape simulator is correct
# (the cache equals the dump), keeping the push checkpoint and the token.
source "$(dirname "$0")/lib.sh" "$1" "$2"
start_sim --seed 51 --scale 0.1 --log-requests "$GS_TMP/requests.jsonl"
db="$GS_TMP/v1.db"
sim_get /__sim/dump >"$GS_TMP/dump0.json"
read -r client contact < <(python3 -c "
import json,sys
c = json.load(open(sys.argv[1]))['clients'][0]
print(c['id'], c['defaultContact']['id'])" "$GS_TMP/dump0.json")
sqlite3 "$db" <"$GS_SRC/schema/cache.sql"
sqlite3 "$db" "PRAGMA user_version = 1;
  INSERT INTO users (id, first_name, phone, role, row_hash, change_seq, raw)
    VALUES ('usr_gone0000000000', 'Old', '555', 'tech', 1, 1, '{}');
  INSERT INTO clients (id, company_name, row_hash, change_seq, raw)
    VALUES ('$client', 'stale name', 2, 2, '{}');
  INSERT INTO contacts (id, client_id, first_name, row_hash, change_seq, raw)
    VALUES ('$contact', '$client', 'stale', 3, 3, '{}');
  UPDATE counters SET value = 3;
  INSERT INTO sync_state (entity, policy, high_water, resume_cursor, last_success)
    VALUES ('clients', 'delta', '2026-01-01T00:00:00Z', 'full|b2xkLW9yZGVy', '2026-01-02T00:00:00Z');
  INSERT INTO push_state (entity, target, last_pushed_seq, rows_pushed)
    VALUES ('clients', 'supabase', 2, 1);
  INSERT INTO meta (key, value) VALUES ('oauth.access_token', 'kept-token');"
chmod 600 "$db"
[ "$(sqlite3 "$db" 'PRAGMA user_version')" = 1 ] || fail "the fixture is not a version-1 cache"

"$GAZSYNC" --db "$db" --now "$(sim_now)" pull >"$GS_TMP/pull.out" 2>&1 \
  || fail "the first pull on the upgraded cache exited $?: $(cat "$GS_TMP/pull.out")"
want=$("$GAZSYNC" --version | sed -n 's/.*cache schema \([0-9]*\).*/\1/p')
[ "$(sqlite3 "$db" 'PRAGMA user_version')" = "$want" ] || fail "not upgraded to schema $want"
first_after=$(python3 -c "
import json,sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if 'allClients(' in r['query']:
        print((r.get('variables') or {}).get('after')); break" "$GS_TMP/requests.jsonl")
[ "$first_after" = None ] || fail "the clients read resumed the old-order cursor ($first_after)"
assert_cache_equals_dump "$db"
[ "$(sqlite3 "$db" "select coalesce(company_name, '') <> 'stale name' from clients where id = '$client'")" = 1 ] \
  || fail "the stale client was not refreshed"
[ "$(sqlite3 "$db" "select deleted_at is not null from users where id = 'usr_gone0000000000'")" = 1 ] \
  || fail "a user gone upstream is not marked deleted"
[ "$(sqlite3 "$db" "select last_pushed_seq from push_state where entity = 'clients'")" = 2 ] \
  || fail "the push checkpoint moved"
[ "$(sqlite3 "$db" "select value from meta where key = 'oauth.access_token'")" = kept-token ] \
  || fail "the stored token was lost"
[ "$(sqlite3 "$db" "select count(*) from clients where change_seq > 2")" -ge 1 ] \
  || fail "the refreshed client has no new change_seq: it would not be pushed"
pass "a version-1 cache upgrades in place; its next pull equals the dump, checkpoints and token kept"
