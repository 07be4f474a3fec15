// graphql-js's verdict on each case of a corpus (corpus.js): parse,
// validate against the SDL, choose the operation, coerce the variables
// (getVariableValues), as an executor would before running anything.
//
//   node judge.js SCHEMA.graphql cases.json > verdicts.json
//   -> [{"name", "valid": bool, "errors": [messages]}]
'use strict';
const fs = require('fs');
const {
  buildSchema, getOperationAST, isInputObjectType, isListType,
  isNonNullType, parse, typeFromAST, validate,
} = require('graphql');
const { getVariableValues } = require('graphql/execution/values');

const [schemaPath, casesPath] = process.argv.slice(2);
if (!schemaPath || !casesPath) {
  console.error('usage: node judge.js SCHEMA.graphql cases.json');
  process.exit(2);
}
const schema = buildSchema(fs.readFileSync(schemaPath, 'utf8'));
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
