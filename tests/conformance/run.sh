#!/usr/bin/env bash
# The conformance test (issue 10, part 3b): graphql-js, the simulator's
# validator (gsim-validate) and the running simulator over HTTP must give
# the same valid/invalid verdict on every case of the corpus generated from
# schema/gazelle.graphql and on seeded random mutations of it, and
# graphql-js must give the verdict the corpus expects (so a wrong schema
# cannot pass). $1 = build dir, $2 = source dir.
source "$2/tools/gazelle-sim/tests/sim_env.sh"
here="$2/tests/conformance"
sdl="$2/schema/gazelle.graphql"
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
node "$here/corpus.js" "$sdl" "$here" > "$SIM_TMP/corpus.json"
# Plus 2,000 seeded random mutations of it, where only agreement counts.
node "$here/mutate.js" "$SIM_TMP/corpus.json" 2000 1 > "$SIM_TMP/mutations.json"
node -e 'const fs = require("fs"); const [a, b] = process.argv.slice(1).map(
  (p) => JSON.parse(fs.readFileSync(p, "utf8")));
  process.stdout.write(JSON.stringify(a.concat(b)));' \
  "$SIM_TMP/corpus.json" "$SIM_TMP/mutations.json" > "$SIM_TMP/cases.json"
node "$here/judge.js" "$sdl" "$SIM_TMP/cases.json" > "$SIM_TMP/js.json"
"$1/tools/gazelle-sim/gsim-validate" "$SIM_TMP/cases.json" > "$SIM_TMP/sim.json"
start_sim SIM --seed 1 --clients 40 --pianos 50 --events 120 --timeline 200
node "$here/http.js" "$SIM" "$SIM_TMP/corpus.json" > "$SIM_TMP/http.json"
node "$here/compare.js" "$SIM_TMP/cases.json" "$SIM_TMP/js.json" \
  "$SIM_TMP/sim.json" "$SIM_TMP/http.json"

# The test must fail on a wrong schema: with the old contract's sort value
# put back into ClientSort, graphql-js accepts gazsync's clients document
# of today, which the corpus expects rejected.
awk '{ print } /^enum ClientSort \{/ { print "  UPDATED_AT_DESC" }' "$sdl" \
  > "$SIM_TMP/wrong.graphql"
node "$here/judge.js" "$SIM_TMP/wrong.graphql" "$SIM_TMP/cases.json" \
  > "$SIM_TMP/wrong-js.json"
if node "$here/compare.js" "$SIM_TMP/cases.json" "$SIM_TMP/wrong-js.json" \
     "$SIM_TMP/sim.json" > "$SIM_TMP/wrong.out"; then
  echo "FAIL: the conformance check passed on a schema with UPDATED_AT_DESC in ClientSort" >&2
  exit 1
fi
grep -q "^DISAGREE legacy: clients: the corpus expects invalid" "$SIM_TMP/wrong.out" || {
  echo "FAIL: on the wrong schema the legacy clients document was not the disagreement" >&2
  cat "$SIM_TMP/wrong.out" >&2
  exit 1
}
echo "conformance: a wrong schema (UPDATED_AT_DESC in ClientSort) is caught"
