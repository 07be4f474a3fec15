#!/usr/bin/env bash
# Conformance 3(a): every kind of document gazsync sends, captured by
# gazelle-sim --log-requests while gazsync runs its real scenarios (a first
# sync with contacts follow-ups, a default night, the new-rows probe,
# --force=users, --full, a full read resumed after a failure), then each
# validated with its variables by graphql-js against schema/gazelle.graphql
# (test_gazsync_documents.js). Fails on any invalid document and on a
# capture that misses an entity or a kind of request.
# Args: BUILD_DIR SOURCE_DIR.
source "$(dirname "$0")/../integration/lib.sh" "$1" "$2"
LOG="$GS_TMP/requests.jsonl"
: >"$LOG"
start_sim --seed 21 --scale 0.15 --log-requests "$LOG"
export GAZSYNC_MAX_ATTEMPTS=2
db="$GS_TMP/cache.db"
# Small pages so that every entity has a next page; one contact per nested
# page so that clients with several contacts need follow-ups.
# One page a request (pack = off): the fault below counts requests of
# allClients; test_gazelle_packed.sh checks the packed documents.
cat >"$GS_TMP/base.ini" <<INI
[gazsync]
page_size = 40
pack = off
[entity.contacts]
page_size = 1
INI
cat "$GS_TMP/base.ini" >"$GS_TMP/new-rows.ini"
cat >>"$GS_TMP/new-rows.ini" <<INI
[entity.clients]
policy = new-rows,full-every=7d
[entity.pianos]
policy = new-rows,full-every=7d
INI
gs() { "$GAZSYNC" --db "$db" --now "$(sim_now)" "$@"; }
captures=()
# Runs gazsync; what the simulator logged meanwhile becomes capture $1.
capture() {
  local label=$1; shift
  local before
  before=$(wc -l <"$LOG")
  "$@" >"$GS_TMP/$label.out" 2>&1 || echo "($label: gazsync exited $?)" >>"$GS_TMP/$label.out"
  tail -n +"$((before + 1))" "$LOG" >"$GS_TMP/$label.jsonl"
  captures+=("$label=$GS_TMP/$label.jsonl")
}

capture first gs --config "$GS_TMP/base.ini" pull
grep -q "exited" "$GS_TMP/first.out" && fail "first pull: $(cat "$GS_TMP/first.out")"
sim_post "/__sim/advance?days=1" >/dev/null
capture night gs --config "$GS_TMP/base.ini" pull
capture new-rows gs --config "$GS_TMP/new-rows.ini" pull
capture forced gs --config "$GS_TMP/base.ini" pull --force=users
capture full gs --config "$GS_TMP/base.ini" pull --full
# A full read of clients that fails on its second page, then resumes.
sim_post /__sim/faults '{"rules":[{"field":"allClients","nth":2,"count":50,"action":"status","status":503}]}' >/dev/null
gs --config "$GS_TMP/base.ini" pull clients >/dev/null 2>&1 && fail "the faulted pull succeeded"
curl -fsS -X DELETE "$SIM_URL/__sim/faults" >/dev/null
capture resumed gs --config "$GS_TMP/base.ini" pull clients

NODE_PATH=/usr/share/nodejs node "$GS_SRC/tests/conformance/test_gazsync_documents.js" \
  "$GS_SRC/schema/gazelle.graphql" "${captures[@]}" || fail "documents gazsync sent are invalid or missing"
pass "every document gazsync sent is valid against schema/gazelle.graphql"
