// graphql-js's verdict on each case of a corpus (corpus.js): parse,
// validate against the SDL, choose the operation, coerce the variables
// (getVariableValues), as an executor would before running anything.
//
//   node judge.js SCHEMA.graphql cases.json > verdicts.json
//   -> [{"name", "valid": bool, "errors": [messages]}]
'use strict';
const fs = require('fs');
const {
  buildSchema, getOperationAST, parse, validate,
} = require('graphql');
const { getVariableValues } = require('graphql/execution/values');

const [schemaPath, casesPath] = process.argv.slice(2);
if (!schemaPath || !casesPath) {
  console.error('usage: node judge.js SCHEMA.graphql cases.json');
  process.exit(2);
}
const schema = buildSchema(fs.readFileSync(schemaPath, 'utf8'));
const cases = JSON.parse(fs.readFileSync(casesPath, 'utf8'));

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
  const coerced = getVariableValues(schema, op.variableDefinitions || [],
    c.variables || {});
  return coerced.errors ? coerced.errors.map((e) => e.message) : [];
}

const out = cases.map((c) => {
  const errors = judge(c);
  return { name: c.name, valid: errors.length === 0, errors };
});
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
