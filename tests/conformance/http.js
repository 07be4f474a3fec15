// The running simulator's verdict on each case of a corpus: POSTs it to
// URL/graphql/private/ and reads only whether the answer carries "errors"
// (an answer's data is the executor's business, not this test's).
//
//   node http.js URL cases.json > http.json
//   -> [{"name", "valid": bool, "errors": [messages]}]
'use strict';
const fs = require('fs');
const http = require('http');

const [base, casesPath] = process.argv.slice(2);
if (!base || !casesPath) {
  console.error('usage: node http.js URL cases.json');
  process.exit(2);
}
const cases = JSON.parse(fs.readFileSync(casesPath, 'utf8'));
const url = new URL('/graphql/private/', base);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function post(c) {
  const body = JSON.stringify({
    query: c.query, variables: c.variables, operationName: c.operationName,
  });
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST', agent, timeout: 30000,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => {
        if (res.statusCode !== 200) {
          reject(new Error(`${c.name}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          return;
        }
        let answer;
        try {
          answer = JSON.parse(text);
        } catch (e) {
          reject(new Error(`${c.name}: the answer is not JSON: ${text.slice(0, 200)}`));
          return;
        }
        const errors = (answer.errors || []).map((e) => e.message);
        resolve({ name: c.name, valid: !answer.errors, errors });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${c.name}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

(async () => {
  const out = [];
  for (const c of cases) out.push(await post(c));
  agent.destroy();
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
})().catch((e) => {
  console.error(`http.js: ${e.message}`);
  process.exit(1);
});
