#!/usr/bin/env bash
# Packed requests (issue 13) against the real gazelle-sim over 127.0.0.1,
# through gazelle_packed_check (gazelle_packed_check.c says what each mode
# asks):
# - several entities, several ranges of one entity (two client ranges by
#   creation day, one window of events, two groups of timeline types) and
#   second pages at a cursor, each packed into one document: every part's
#   answer equals its page asked alone, field by field;
# - each packed document gazsync sent, with its variables, is valid for
#   graphql-js against schema/gazelle.graphql (test_gazsync_documents.js,
#   capture "packed");
# - with --max-complexity between the costliest part and the packed request,
#   the packed request is GS_ETOOBIG and its parts one by one pass; the same
#   with --max-query-tokens (tokens counted by graphql-js's lexer).
# Args: BUILD_DIR SOURCE_DIR.
source "$(dirname "$0")/../integration/lib.sh" "$1" "$2"
CHECK="$GS_BUILD/tests/gazelle_packed_check"
SIM_FLAGS=(--seed 21 --scale 0.15)
LOG="$GS_TMP/requests.jsonl"
: >"$LOG"

start_sim "${SIM_FLAGS[@]}" --log-requests "$LOG"
FREE=$SIM_URL
# The same business again, for the pages asked alone (gazelle_packed_check.c
# says why apart).
start_sim "${SIM_FLAGS[@]}"
ALONE=$SIM_URL
# The creation day of the middle client: two ranges, neither empty.
DAY=$(sim_get /__sim/dump | python3 -c '
import json, sys
clients = json.load(sys.stdin)["clients"]
print(clients[len(clients) // 2]["createdAt"][:10])')
"$CHECK" equal "$FREE" "$ALONE" "$DAY" || fail "packed answers differ from the pages asked alone"
NODE_PATH=/usr/share/nodejs node "$GS_SRC/tests/conformance/test_gazsync_documents.js" \
  "$GS_SRC/schema/gazelle.graphql" "packed=$LOG" || fail "packed documents are invalid"

# Complexity: a simulator that refuses everything names each cost.
start_sim "${SIM_FLAGS[@]}" --max-complexity 1
costs=$("$CHECK" cost "$SIM_URL" "$DAY") || fail "cannot read the costs: $costs"
read -r largest packed <<<"$costs"
[ "$packed" -gt "$largest" ] || fail "packed complexity $packed is not over its costliest part's $largest"
start_sim "${SIM_FLAGS[@]}" --max-complexity "$largest"
"$CHECK" limit "$SIM_URL" "$DAY" || fail "--max-complexity $largest (packed: $packed)"

# Tokens, as graphql-ruby counts them (one a lexer token).
mkdir "$GS_TMP/docs"
"$CHECK" docs "$GS_TMP/docs" "$DAY" || fail "cannot write the documents"
tokens=$(NODE_PATH=/usr/share/nodejs node -e '
const g = require("graphql"), fs = require("fs"), path = require("path");
const count = (file) => {
  const lexer = new g.Lexer(new g.Source(fs.readFileSync(file, "utf8")));
  let n = 0;
  while (lexer.advance().kind !== g.TokenKind.EOF) n++;
  return n;
};
const dir = process.argv[1];
const parts = fs.readdirSync(dir).filter((f) => f.startsWith("part")).map((f) => count(path.join(dir, f)));
console.log(Math.max(...parts), count(path.join(dir, "packed.graphql")));' "$GS_TMP/docs") || fail "cannot count tokens"
read -r largest packed <<<"$tokens"
[ "$packed" -gt "$largest" ] || fail "packed tokens $packed are not over its largest part's $largest"
start_sim "${SIM_FLAGS[@]}" --max-query-tokens "$largest"
"$CHECK" limit "$SIM_URL" "$DAY" || fail "--max-query-tokens $largest (packed: $packed)"
pass "packed requests answer as their pages alone, validate, and a refusal as too costly is GS_ETOOBIG"
