// graphql-js's verdict on each case of a corpus (corpus.js): parse,
// validate against the SDL, choose the operation, coerce the variables
// (getVariableValues), as an executor would before running anything.
//
//   node judge.js SCHEMA.graphql cases.json > verdicts.json
//   -> [{"name", "valid": bool, "errors": [messages]}]
'use strict';
const fs = require('fs');
const {
  Kind, buildSchema, getOperationAST, isInputObjectType, isListType,
  isNonNullType, parse, typeFromAST, validate,
} = require('graphql');
const { getVariableValues } = require('graphql/execution/values');

const [schemaPath, casesPath] = process.argv.slice(2);
if (!schemaPath || !casesPath) {
  console.error('usage: node judge.js SCHEMA.graphql cases.json');
  process.exit(2);
}
const schema = buildSchema(fs.readFileSync(schemaPath, 'utf8'));
// The one thing told to graphql-js beyond the SDL: the formats of the two
// custom scalars whose values the simulator reads (tools/gazelle-sim/
// clock.c, README "Validation"); buildSchema alone accepts anything there.
const DAY = /^(\d{4})-(\d{2})-(\d{2})/;
const TIME = /^(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d*)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;
function realDay(m) {
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number(m[2]) >= 1 && Number(m[2]) <= 12 && d.getUTCDate() === Number(m[3]) &&
    d.getUTCMonth() === Number(m[2]) - 1;
}
function isDay(text) {
  const m = typeof text === 'string' && DAY.exec(text);
  return !!m && text.length === 10 && realDay(m);
}
function isTime(text) {
  const m = typeof text === 'string' && DAY.exec(text);
  if (!m || !realDay(m)) return false;
  const t = TIME.exec(text.slice(10));
  return !!t && (t[1] === undefined ||
    (Number(t[1]) <= 23 && Number(t[2]) <= 59 && Number(t[3] || 0) <= 60));
}
for (const [name, ok] of [['CoreDate', isDay], ['CoreDateTime', isTime]]) {
  const type = schema.getType(name);
  const check = (v) => {
    if (!ok(v)) throw new TypeError(`${name} cannot represent ${JSON.stringify(v)}`);
    return v;
  };
  type.parseValue = check;
  type.parseLiteral = (node) => check(node.kind === Kind.STRING ? node.value : undefined);
}
const cases = JSON.parse(fs.readFileSync(casesPath, 'utf8'));

// graphql-js takes an array where an input object is expected (arrays are
// object-like in JavaScript); graphql-ruby, what Gazelle runs, answers
// "Expected [] to be a key-value object.", and so does the simulator.
function arrayForInputObject(type, value) {
  if (isNonNullType(type)) return arrayForInputObject(type.ofType, value);
  if (value === null || value === undefined) return false;
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    return items.some((v) => arrayForInputObject(type.ofType, v));
  }
  if (!isInputObjectType(type)) return false;
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object') return false;
  const fields = type.getFields();
  return Object.keys(value).some((k) => fields[k] && arrayForInputObject(fields[k].type, value[k]));
}

function judge(c) {
  let doc;
  try {
    doc = parse(c.query);
  } catch (e) {
    return [e.message];
  }
  const errors = validate(schema, doc).map((e) => e.message);
  if (errors.length) return errors;
  const op = getOperationAST(doc, c.operationName || null);
  if (!op) return ['no operation to run (unknown or ambiguous operation name)'];
  // execute() refuses an operation whose root type the schema lacks.
  if (!schema.getRootType(op.operation))
    return [`Schema is not configured to execute ${op.operation} operation.`];
  const given = c.variables || {};
  for (const d of op.variableDefinitions || []) {
    const type = typeFromAST(schema, d.type);
    if (type && arrayForInputObject(type, given[d.variable.name.value]))
      return [`Variable $${d.variable.name.value}: an array is not a key-value object`];
  }
  const coerced = getVariableValues(schema, op.variableDefinitions || [], given);
  return coerced.errors ? coerced.errors.map((e) => e.message) : [];
}

const out = cases.map((c) => {
  const errors = judge(c);
  return { name: c.name, valid: errors.length === 0, errors };
});
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
