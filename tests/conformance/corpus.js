// Generates the conformance corpus from the SDL (issue 10, part 3b): for
// each root field gazsync reads, one document selecting every scalar and
// enum field of its node type (it must validate), the same through a named
// fragment and an inline fragment, and mutations of it that must be
// rejected (a wrong field, a wrong argument, a wrong enum value, a wrong
// variable type, a missing required argument, a bad variable value); then
// gazsync's documents of today (legacy.json) and the hand-written rule
// cases (rules.json). Every case carries the verdict the corpus expects;
// judge.js checks graphql-js agrees, so a wrong schema fails the test.
//
//   node corpus.js SCHEMA.graphql DIR > cases.json
//   (DIR holds legacy.json and rules.json)
'use strict';
const fs = require('fs');
const path = require('path');
const {
  buildSchema, getNamedType, isEnumType, isInputObjectType, isLeafType,
  isListType, isNonNullType, isObjectType, isScalarType,
} = require('graphql');

const [schemaPath, dir] = process.argv.slice(2);
if (!schemaPath || !dir) {
  console.error('usage: node corpus.js SCHEMA.graphql DIR');
  process.exit(2);
}
const schema = buildSchema(fs.readFileSync(schemaPath, 'utf8'));
const query = schema.getQueryType();

// The roots gazsync reads; allContacts is reached through a client.
const ROOTS = ['allUsers', 'allClients', 'allPianos', 'allEventsBatched',
  'allTimelineEntries', 'client', 'piano', 'client.allContacts'];

const required = (arg) => isNonNullType(arg.type) && arg.defaultValue === undefined;

// A connection's node type is its `nodes` items; a list's, its items.
function nodeType(type) {
  const named = getNamedType(type);
  const nodes = isObjectType(named) && named.getFields().nodes;
  return nodes ? getNamedType(nodes.type) : named;
}

function leafFields(type) {
  return Object.values(type.getFields())
    .filter((f) => isLeafType(getNamedType(f.type)) && !f.args.some(required))
    .map((f) => f.name);
}

// An example value of a type, as GraphQL text and as JSON.
function example(type) {
  if (isNonNullType(type)) return example(type.ofType);
  if (isListType(type)) {
    const item = example(type.ofType);
    return { text: `[${item.text}]`, json: [item.json] };
  }
  if (isEnumType(type)) {
    const v = type.getValues()[0].name;
    return { text: v, json: v };
  }
  switch (type.name) {
    case 'Int': return { text: '10', json: 10 };
    case 'Float': return { text: '1.5', json: 1.5 };
    case 'Boolean': return { text: 'true', json: true };
    default: return { text: '"x"', json: 'x' };
  }
}

// Where a wrong enum value can stand: an enum argument of the field, an
// enum field of an input-object argument, or else the nearest field below
// the node type (breadth first) with an enum argument. Returns {arg, text}
// for the root field or {path: [fields], arg, text} below the node.
function enumArgument(args) {
  for (const a of args) {
    const t = getNamedType(a.type);
    if (isEnumType(t)) return { arg: a.name, text: 'NOT_A_VALUE' };
    if (isInputObjectType(t)) {
      const f = Object.values(t.getFields()).find((x) => isEnumType(getNamedType(x.type)));
      if (f) return { arg: a.name, text: `{${f.name}: NOT_A_VALUE}` };
    }
  }
  return null;
}

function enumPosition(field, node) {
  const here = enumArgument(field.args);
  if (here) return here;
  const seen = new Set([node.name]);
  let frontier = [{ type: node, path: [] }];
  for (let depth = 0; depth < 4 && frontier.length; depth++) {
    const next = [];
    for (const { type, path } of frontier) {
      for (const f of Object.values(type.getFields())) {
        if (f.args.some(required)) continue;
        const found = enumArgument(f.args);
        if (found) return Object.assign(found, { path: path.concat([f]) });
        const t = getNamedType(f.type);
        if (isObjectType(t) && !seen.has(t.name)) {
          seen.add(t.name);
          next.push({ type: t, path: path.concat([f]) });
        }
      }
    }
    frontier = next;
  }
  return null;
}

// The selection of path (fields below the node), the last one with extra
// arguments.
function pathSelection(path, args) {
  const [f, ...rest] = path;
  const a = rest.length ? '' : `(${args})`;
  if (rest.length) return `${f.name} { ${pathSelection(rest, args)} }`;
  return `${f.name}${a}${selection(f)}`;
}

// A field of the node type with a required argument, left without it.
function requiredPosition(node) {
  return Object.values(node.getFields()).find((f) => f.args.some(required)) || null;
}

function selection(field) {
  const t = getNamedType(field.type);
  const sub = isLeafType(t) ? '' : ` { ${leafFields(nodeType(t)).slice(0, 1).join(' ') || '__typename'} }`;
  return sub;
}

const cases = [];
function add(name, expect, q, variables) {
  const c = { name, expect, query: q };
  if (variables) c.variables = variables;
  cases.push(c);
}

for (const root of ROOTS) {
  const parts = root.split('.');
  const top = query.getFields()[parts[0]];
  if (!top) throw new Error(`the schema has no PrivateQuery.${parts[0]}`);
  const field = parts.length > 1 ? nodeType(top.type).getFields()[parts[1]] : top;
  if (!field) throw new Error(`the schema has no field ${root}`);
  const node = nodeType(field.type);
  const isConnection = !!getNamedType(field.type).getFields().nodes;
  const fields = leafFields(node);
  if (fields.length < 2) throw new Error(`${root}: ${node.name} has no leaf fields`);
  const intArg = field.args.find((a) => getNamedType(a.type).name === 'Int');
  const strArg = field.args.find((a) => getNamedType(a.type).name === 'String');
  // The pair of variables each document declares and uses.
  const vArg = intArg || strArg;
  const vType = vArg ? vArg.type.toString() : null;
  const decl = vArg ? `($v: ${vType})` : '';
  const vValue = vArg ? example(vArg.type).json : undefined;

  // build(body, {args, decl}) wraps the node selection in the root path.
  function build(nodeBody, opts = {}) {
    const args = opts.args !== undefined ? opts.args : (vArg ? `${vArg.name}: $v` : '');
    const a = args ? `(${args})` : '';
    const inner = isConnection
      ? `{ nodes { ${nodeBody} } pageInfo { hasNextPage endCursor } totalCount }`
      : `{ ${nodeBody} }`;
    const d = opts.decl !== undefined ? opts.decl : decl;
    const tail = opts.tail || '';
    if (parts.length > 1)
      return `query Corpus${d} { ${parts[0]}(id: "cli_x") { ${parts[1]}${a} ${inner} } }${tail}`;
    return `query Corpus${d} { ${parts[0]}${a} ${inner} }${tail}`;
  }
  const vars = vArg ? { v: vValue } : undefined;
  const all = fields.join(' ');

  add(`${root}: every scalar field`, 'valid', build(all), vars);
  add(`${root}: every scalar field, through fragments`, 'valid',
    build(`...N ... on ${node.name} { ${fields[0]} } __typename`,
      { tail: ` fragment N on ${node.name} { ${all} }` }), vars);
  add(`${root}: a wrong field`, 'invalid', build(`${all} notAFieldOf${node.name}`), vars);
  add(`${root}: a wrong argument`, 'invalid',
    build(all, { args: [vArg ? `${vArg.name}: $v` : '', 'notAnArgument: 1'].filter(Boolean).join(', ') }), vars);

  const ep = enumPosition(field, node);
  if (!ep) {
    // allUsers takes no argument and nothing below it has an enum one.
    add(`${root}: a wrong enum value (in @include(if:): no enum argument under ${root})`,
      'invalid', build(`${fields[0]} @include(if: NOT_A_VALUE) ${fields.slice(1).join(' ')}`), vars);
  } else if (!ep.path) {
    add(`${root}: a wrong enum value`, 'invalid',
      build(all, { args: [vArg ? `${vArg.name}: $v` : '', `${ep.arg}: ${ep.text}`].filter(Boolean).join(', ') }), vars);
  } else {
    add(`${root}: a wrong enum value (in ${ep.path.map((f) => f.name).join('.')})`, 'invalid',
      build(`${all} ${pathSelection(ep.path, `${ep.arg}: ${ep.text}`)}`), vars);
  }

  if (vArg) {
    const wrong = getNamedType(vArg.type).name === 'Int' ? 'String' : 'Int';
    add(`${root}: a wrong variable type`, 'invalid', build(all, { decl: `($v: ${wrong})` }), vars);
    const bad = getNamedType(vArg.type).name === 'Int' ? 'abc' : 12;
    add(`${root}: a bad variable value`, 'invalid', build(all), { v: bad });
    add(`${root}: a list where one value is expected`, 'invalid', build(all), { v: [vValue, vValue] });
  }

  const rp = requiredPosition(node);
  if (rp) {
    add(`${root}: a missing required argument (${node.name}.${rp.name})`, 'invalid',
      build(`${all} ${rp.name}${selection(rp)}`), vars);
  } else {
    add(`${root}: a missing required argument (@include without if)`, 'invalid',
      build(`${fields[0]} @include ${fields.slice(1).join(' ')}`), vars);
  }
}

for (const file of ['legacy.json', 'rules.json']) {
  for (const c of JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))) {
    cases.push(Object.assign({}, c, {
      name: `${file.replace('.json', '')}: ${c.name}`,
      query: Array.isArray(c.query) ? c.query.join('\n') : c.query,
    }));
  }
}
process.stdout.write(JSON.stringify(cases, null, 1) + '\n');
