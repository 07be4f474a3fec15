// Compares the verdicts on the corpus: the corpus's expectation, graphql-js
// (judge.js), the simulator's validator (gsim-validate) and, when given, the
// running simulator over HTTP (http.js, matched by case name: it is run on
// the generated corpus, whose valid documents must also execute cleanly,
// not on the random mutations, where a valid document may meet an
// execution error such as a negative `first`). Prints each disagreement
// with its case and exits 1 if there is one.
//
//   node compare.js cases.json js.json sim.json [http.json]
//
// A case with "execution": "error" is valid but must be refused when run
// (a bad date, which only the executor reads): over HTTP it must get errors.
// "expect" is "valid", "invalid", or "invalid-departure": a documented
// departure (tools/gazelle-sim/README.md, Validation) where graphql-js
// accepts what the simulator refuses; there graphql-js must accept and the
// simulator refuse, so the departure stays exactly the documented one.
'use strict';
const fs = require('fs');

const [casesPath, jsPath, simPath, httpPath] = process.argv.slice(2);
const load = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));
const cases = load(casesPath);
const js = load(jsPath);
const sim = load(simPath);
const http = httpPath ? load(httpPath) : null;
const httpByName = new Map((http || []).map((h) => [h.name, h]));
if (js.length !== cases.length || sim.length !== cases.length ||
    (http && httpByName.size !== http.length)) {
  console.error('compare: the verdict files do not match the corpus');
  process.exit(2);
}

const word = (valid) => (valid ? 'valid' : 'invalid');
let failures = 0;
const counts = { valid: 0, invalid: 0, departure: 0 };
const shown = 40; // a broken validator disagrees everywhere: show the first
function fail(c, why, detail) {
  if (++failures > shown) return;
  console.log(`DISAGREE ${c.name}: ${why}`);
  console.log(`  query: ${c.query.replace(/\n/g, '\n         ')}`);
  if (c.variables) console.log(`  variables: ${JSON.stringify(c.variables)}`);
  for (const d of detail) console.log(`  ${d}`);
}

cases.forEach((c, i) => {
  const detail = [
    `graphql-js: ${word(js[i].valid)} ${JSON.stringify(js[i].errors)}`,
    `gsim-validate: ${word(sim[i].valid)} ${JSON.stringify(sim[i].errors.map((e) => e.message))}`,
  ];
  const h = httpByName.get(c.name);
  if (h) detail.push(`HTTP: ${word(h.valid)} ${JSON.stringify(h.errors)}`);
  const departure = c.expect === 'invalid-departure';
  const jsWant = departure ? true : c.expect === 'valid';
  const simWant = departure ? false : js[i].valid;
  if (c.expect && js[i].valid !== jsWant) {
    fail(c, `the corpus expects ${departure ? 'graphql-js to accept it' : c.expect} but graphql-js says ${word(js[i].valid)} (is the schema wrong?)`, detail);
  } else if (sim[i].valid !== simWant) {
    fail(c, `gsim-validate says ${word(sim[i].valid)}, ${departure ? 'the documented departure says invalid' : `graphql-js ${word(js[i].valid)}`}`, detail);
  } else if (h && h.valid !== (sim[i].valid && c.execution !== 'error')) {
    fail(c, `over HTTP the simulator says ${word(h.valid)}, gsim-validate ${word(sim[i].valid)}` +
      (c.execution === 'error' ? ' and the case wants an execution error' : ''), detail);
  } else {
    counts[departure ? 'departure' : word(js[i].valid)]++;
  }
});
console.log(`conformance: ${cases.length} cases, ${counts.valid} valid and ${counts.invalid} invalid agreed, ` +
  `${counts.departure} documented departures, ${failures} disagreements` +
  (http ? ` (${httpByName.size} also over HTTP)` : ' (no HTTP half)'));
process.exit(failures ? 1 : 0);
