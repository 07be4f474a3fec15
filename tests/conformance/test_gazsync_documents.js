// Every document gazsync sent, with its variables, validated by graphql-js
// (the reference implementation) against schema/gazelle.graphql, the
// service's own schema. Usage:
//   node test_gazsync_documents.js SCHEMA LABEL=LOG.jsonl [LABEL=LOG ...]
// Each LOG is one JSON object a line, {query, variables} as gazelle-sim's
// --log-requests writes them. A run fails on any invalid document or
// variable, on a variable the document does not declare, on enum lists
// (status, type, types) that do not name every value of their enum (in
// packed documents, over the capture's packed parts of one root field
// together), and on a
// capture that misses what its label promises (the expectations below):
// a test that saw too little cannot pass for one that saw everything.
'use strict';
const fs = require('fs');
const g = require('graphql');

const [schemaPath, ...captures] = process.argv.slice(2);
if (!schemaPath || captures.length === 0) {
  console.error('usage: test_gazsync_documents.js SCHEMA LABEL=LOG ...');
  process.exit(2);
}
const schema = g.buildSchema(fs.readFileSync(schemaPath, 'utf8'));
let failures = 0;
const fail = (msg) => { failures++; console.log('FAIL ' + msg); };

const enumValues = (name) => schema.getType(name).getValues().map((v) => v.name);
// The lists gazsync sends so that no row hides behind an undocumented
// default: where they sit in the variables, and the enum they must cover.
const fullLists = {
  allClients: [[['filters', 'status'], 'ClientStatus']],
  allPianos: [[['filters', 'status'], 'PianoStatus']],
  allEventsBatched: [[['filters', 'status'], 'EventStatus'],
                     [['filters', 'type'], 'EventType']],
  allTimelineEntries: [[['types'], 'TimelineEntryType']],
};

// The root fields of the operation, each with the variables that are its
// own. A single document's are all of them; in a packed one (issue 13,
// engine/gazelle/gazelle_packed.c) the field under the alias p<i> has the
// variables named p<i>_<name>, given back here under <name>.
function rootFields(op, vars) {
  return op.selectionSet.selections.map((sel) => {
    const alias = sel.alias && sel.alias.value;
    const own = {};
    for (const [k, v] of Object.entries(vars)) {
      if (!alias) own[k] = v;
      else if (k.startsWith(alias + '_')) own[k.slice(alias.length + 1)] = v;
    }
    return { root: sel.name.value, alias, vars: own };
  });
}

function coverAll(where, key, enumName, asked) {
  const want = enumValues(enumName);
  if (asked.size !== want.length || !want.every((v) => asked.has(v)))
    fail(`${where}: ${key} = ${JSON.stringify([...asked])}, ` +
         `not every ${enumName} value (${want.join(' ')})`);
}

// The bounds of a part but for the enum list at @p path and the paging:
// the range the list is cut in groups for, as a stable text.
function bounds(vars, path) {
  const copy = JSON.parse(JSON.stringify(vars));
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] || {};
  delete at[path[path.length - 1]];
  delete copy.after;
  delete copy.first;
  const stable = (v) => (Array.isArray(v) ? `[${v.map(stable).join(',')}]`
    : v && typeof v === 'object'
      ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable(v[k])}`).join(',')}}`
      : JSON.stringify(v));
  return stable(copy);
}

// The enum lists of the current capture's packed parts: root, path and the
// other bounds -> {enumName, where (the first), asked (their union)}.
let packedLists = new Map();

function check(label, n, entry) {
  const where = `${label} line ${n}`;
  let doc;
  try {
    doc = g.parse(entry.query);
  } catch (e) {
    fail(`${where}: does not parse: ${e.message}`);
    return null;
  }
  for (const e of g.validate(schema, doc))
    fail(`${where}: ${e.message}`);
  const vars = entry.variables || {};
  const ops = doc.definitions.filter((d) => d.kind === 'OperationDefinition');
  if (ops.length !== 1) fail(`${where}: ${ops.length} operations`);
  const op = ops[0];
  const declared = new Set((op.variableDefinitions || []).map((v) => v.variable.name.value));
  for (const k of Object.keys(vars))
    if (!declared.has(k)) fail(`${where}: variable $${k} is not declared`);
  const coerced = g.getVariableValues(schema, op.variableDefinitions || [], vars);
  for (const e of coerced.errors || []) fail(`${where}: ${e.message}`);
  const parts = rootFields(op, vars);
  // Every value of each enum list: in a single document, in it; in packed
  // ones, over the capture's packed parts of that root field with the same
  // other bounds, since a part may ask a group of them (timeline types cut
  // in groups), and a request refused as too costly is split into smaller
  // ones. Each part names its list either way: a part without one could
  // hide rows.
  const packed = parts.some((p) => p.alias);
  for (const p of parts) {
    for (const [path, enumName] of fullLists[p.root] || []) {
      const got = path.reduce((o, k) => (o == null ? o : o[k]), p.vars);
      const key = `${p.root} ${path.join('.')}`;
      if (!Array.isArray(got)) {
        fail(`${where}: ${key} = ${JSON.stringify(got)}, not a list of ${enumName}`);
        continue;
      }
      if (!packed) {
        coverAll(where, key, enumName, new Set(got));
        continue;
      }
      const range = `${key} of ${bounds(p.vars, path)}`;
      if (!packedLists.has(range)) packedLists.set(range, { enumName, where, asked: new Set() });
      got.forEach((v) => packedLists.get(range).asked.add(v));
    }
  }
  // One record a root field; a packed one knows its document's others.
  for (const p of parts) {
    p.packed = packed;
    p.siblings = parts;
  }
  return parts;
}

// What each capture must hold: [what, predicate over its requests].
const after = (r) => r.vars.after != null;
const sort = (v) => (r) => JSON.stringify(r.vars.sortBy) === JSON.stringify([v]);
const is = (root) => (r) => r.root === root;
const both = (...ps) => (r) => ps.every((p) => p(r));
const not = (p) => (r) => !p(r);
const packed = (r) => r.packed;
const count = (r, p) => r.siblings.filter(p).length;
const expectations = {
  first: [
    ['allUsers', is('allUsers')],
    ['allClients first page in creation order', both(is('allClients'), not(after), sort('CREATED_AT_ASC'))],
    ['allClients next page', both(is('allClients'), after)],
    ['allPianos first page', both(is('allPianos'), not(after), sort('CREATED_AT_ASC'))],
    ['allPianos next page', both(is('allPianos'), after)],
    ['a client(id) contacts follow-up', both(is('client'), after)],
    ['allEventsBatched full read (no window)', both(is('allEventsBatched'), (r) => !r.vars.filters.startOn)],
    ['allEventsBatched next page', both(is('allEventsBatched'), after)],
    ['allTimelineEntries full read', both(is('allTimelineEntries'), (r) => r.vars.occurredAtGet == null)],
    ['allTimelineEntries next page', both(is('allTimelineEntries'), after)],
  ],
  night: [
    ['allClients full read', both(is('allClients'), sort('CREATED_AT_ASC'))],
    ['allPianos full read', both(is('allPianos'), sort('CREATED_AT_ASC'))],
    ['allEventsBatched window', both(is('allEventsBatched'), (r) => r.vars.filters.startOn && r.vars.filters.endOn)],
    ['allTimelineEntries since', both(is('allTimelineEntries'), (r) => r.vars.occurredAtGet != null)],
  ],
  'new-rows': [
    ['allClients new-rows probe', both(is('allClients'), sort('CREATED_AT_DESC'), (r) => r.vars.filters.createdGet)],
    ['allPianos new-rows probe', both(is('allPianos'), sort('CREATED_AT_DESC'), (r) => r.vars.filters.createdGet)],
  ],
  forced: [
    ['allUsers (--force=users)', is('allUsers')],
  ],
  full: [
    ['allUsers (--full)', is('allUsers')],
    ['allEventsBatched (--full: no window)', both(is('allEventsBatched'), (r) => !r.vars.filters.startOn)],
    ['allTimelineEntries (--full: no since)', both(is('allTimelineEntries'), (r) => r.vars.occurredAtGet == null)],
  ],
  resumed: [
    ['the first allClients request resumes at a cursor', null],
  ],
  // tests/conformance/test_gazelle_packed.sh
  packed: [
    ['a packed document of five entities',
     both(packed, (r) => new Set(r.siblings.map((s) => s.root)).size === 5)],
    ['a packed document of 2 client ranges, 1 events window, 2 timeline type groups',
     both(packed, (r) =>
       count(r, both(is('allClients'), (s) => s.vars.filters.createdGet != null)) >= 1 &&
       count(r, both(is('allClients'), (s) => s.vars.filters.createdLet != null)) >= 1 &&
       count(r, both(is('allEventsBatched'), (s) => s.vars.filters.startOn && s.vars.filters.endOn)) === 1 &&
       count(r, both(is('allTimelineEntries'), (s) => s.vars.types.length <
                     enumValues('TimelineEntryType').length)) === 2)],
    ['a packed part at a cursor', both(packed, after)],
  ],
};

let total = 0;
for (const arg of captures) {
  const eq = arg.indexOf('=');
  const label = arg.slice(0, eq), path = arg.slice(eq + 1);
  const lines = fs.readFileSync(path, 'utf8').split('\n').filter((l) => l.trim());
  const requests = [];
  packedLists = new Map();
  lines.forEach((line, i) => {
    let entry;
    try { entry = JSON.parse(line); } catch (e) { fail(`${label} line ${i + 1}: not JSON`); return; }
    const r = check(label, i + 1, entry);
    if (r) requests.push(...r);
  });
  for (const [key, { enumName, where, asked }] of packedLists)
    coverAll(`${label} (packed parts from ${where})`, key, enumName, asked);
  total += lines.length;
  if (!expectations[label]) fail(`${label}: no expectations for this label`);
  for (const [what, pred] of expectations[label] || []) {
    const ok = pred ? requests.some(pred)
      : (requests.find(is('allClients')) || { vars: {} }).vars.after != null;
    if (!ok) fail(`${label}: the capture misses ${what}`);
  }
  console.log(`${label}: ${lines.length} request(s) checked`);
}
if (failures) {
  console.log(`${failures} failure(s) in ${total} request(s)`);
  process.exit(1);
}
console.log(`all ${total} request(s) valid against ${schemaPath}`);
