// Random mutations of the corpus (corpus.js), for the differential half of
// the conformance test: no expected verdict, only graphql-js and the
// simulator must agree. Seeded, so a run is reproducible and a
// disagreement can be replayed. Two kinds:
// - token edits of the corpus's documents (a token dropped, inserted or
//   replaced), which mostly exercise syntax and the static rules;
// - a declared variable used at a position of its type with a random
//   value, which exercises variable coercion.
//
//   node mutate.js cases.json COUNT SEED > mutations.json
'use strict';
const fs = require('fs');

const [casesPath, countArg, seedArg] = process.argv.slice(2);
if (!casesPath) {
  console.error('usage: node mutate.js cases.json [COUNT] [SEED]');
  process.exit(2);
}
// Not the documented departures: graphql-js and the simulator differ there
// on purpose, and so would their mutations.
const cases = JSON.parse(fs.readFileSync(casesPath, 'utf8'))
  .filter((c) => c.expect !== 'invalid-departure');
const count = Number(countArg || 2000);
let seed = Number(seedArg || 1) >>> 0;
function rnd(n) { // xorshift32
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed % n;
}
const pick = (a) => a[rnd(a.length)];

const TOKENS = ['{', '}', '(', ')', '[', ']', '!', ':', '=', ',', '...', 'on',
  'PrivateUser', 'PrivateClient', 'PrivateQuery', '$v', '$w', 'Int', 'String!',
  '@include(if: true)', '@skip(if: $v)', 'null', '1', '-2', '1.5', '"x"',
  '"""block"""', 'CREATED_AT_ASC', 'ACTIVE', 'id', 'nodes', '__typename',
  'x:', 'first: 1', 'sortBy: [CREATED_AT_DESC]', 'query', 'fragment',
  'fragment F on PrivateQuery { allClientTags }', '...F', '{ id }'];

function editTokens(c) {
  let q = c.query;
  for (let j = 1 + rnd(3); j > 0; j--) {
    const parts = q.split(/(\s+)/);
    const at = rnd(parts.length);
    const how = rnd(3);
    if (how === 0) parts.splice(at, 1);
    else if (how === 1) parts.splice(at, 0, ` ${pick(TOKENS)} `);
    else parts[at] = pick(TOKENS);
    q = parts.join('');
  }
  const variables = Object.assign({}, c.variables || {});
  if (rnd(4) === 0) variables.v = pick(VALUES);
  return { query: q, variables, operationName: c.operationName };
}

const VALUES = [null, 0, -1, 2147483647, 2147483648, -2147483649, 1.5, 'x',
  '', 'CREATED_AT_ASC', 'ACTIVE', 'COMPLETED', true, false, [], [null],
  ['ACTIVE'], ['ACTIVE', 'NOPE'], [1, 2], [[1]], { status: 'ACTIVE' },
  { status: ['CANCELED', null] }, { clientId: 'a', startOn: 3 }, { nope: 1 },
  { startOn: null }, { clientId: ['a', 'b'], userId: 'u' }, 'usr_1',
  ['usr_1', null], 1e10, '2026-01-21', '2026-02-30', '2026-1-2',
  '2026-01-21T15:00:00Z', '2026-01-21 15:00', '2026-01-21T15:00:00.5+05:30',
  '2026-01-21T24:00:00Z', '2026-01-21T15:00Zx'];
const POSITIONS = [
  ['Int', 'allClients(first: $v) { nodes { id } }'],
  ['Int!', 'allClients(first: $v) { nodes { id } }'],
  ['Int = 5', 'allClients(first: $v) { nodes { id } }'],
  ['[ClientSort!]', 'allClients(sortBy: $v) { nodes { id } }'],
  ['[ClientSort!]!', 'allClients(sortBy: $v) { nodes { id } }'],
  ['ClientSort!', 'allClients(sortBy: [$v]) { nodes { id } }'],
  ['PrivateAllEventsFilter', 'allEventsBatched(filters: $v) { nodes { id } }'],
  ['[EventStatus!]', 'allEventsBatched(filters: {status: $v}) { nodes { id } }'],
  ['String', 'client(id: $v) { id }'],
  ['Float', 'driveTimes(sourceLat: $v) { id }'],
  ['[String!]!', 'allAvailability(userId: $v, startOn: "2026-01-01", endOn: "2026-01-02") { __typename }'],
  ['Boolean!', 'allUsers { id @include(if: $v) }'],
  ['Boolean! = false', 'allUsers { id @skip(if: $v) }'],
  ['CoreDate', 'allEventsBatched(filters: {startOn: $v}) { nodes { id } }'],
  ['CoreDateTime', 'allTimelineEntries(occurredAtGet: $v) { nodes { id } }'],
  ['CoreDate!', 'allClients(filters: {createdLet: $v}) { nodes { id } }'],
  ['[String!]', 'allEventsBatched(filters: {clientId: $v}) { nodes { id } }'],
  ['Boolean', 'client(id: "x") { allContacts(includeArchived: $v) { nodes { id } } }'],
];

function valueAtPosition() {
  const [type, site] = pick(POSITIONS);
  const variables = rnd(6) === 0 ? {} : { v: pick(VALUES) };
  return { query: `query M($v: ${type}) { ${site} }`, variables };
}

const out = [];
for (let i = 0; i < count; i++) {
  const m = i % 2 ? valueAtPosition() : editTokens(pick(cases));
  m.name = `mutation ${i} (seed ${seedArg || 1})`;
  out.push(m);
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
