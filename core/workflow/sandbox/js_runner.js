// Runs user JavaScript in the sandbox process: reads {code, inputs} JSON on stdin, calls main(inputs).
// The result is the last line written to fd 1; console output goes to stderr. Network, process,
// worker and file-system modules are disabled before the user's code runs.
'use strict';
const fs = require('fs');
const Module = require('module');

const writeSync = fs.writeSync;
const request = JSON.parse(fs.readFileSync(0, 'utf8'));
const BLOCKED = new Set(['net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'dns/promises', 'child_process',
  'cluster', 'worker_threads', 'inspector', 'fs', 'fs/promises', 'vm', 'v8', 'module', 'process']);
const originalLoad = Module._load;
Module._load = function load(name, ...rest) {
  const bare = String(name).replace(/^node:/, '');
  if (BLOCKED.has(bare)) {
    throw new Error(`Module '${name}' is disabled in the code sandbox`);
  }
  return originalLoad.call(this, name, ...rest);
};
for (const name of ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest']) {
  delete globalThis[name];
}
process.binding = () => { throw new Error('process.binding is disabled in the code sandbox'); };
process._linkedBinding = process.binding;
process.dlopen = () => { throw new Error('process.dlopen is disabled in the code sandbox'); };
console.log = console.info = console.debug = console.error;

function finish(outcome) {
  let text;
  try {
    text = JSON.stringify(outcome);
  } catch (error) {
    text = JSON.stringify({ ok: false, error_type: 'TypeError', error: `The result is not JSON: ${error.message}` });
  }
  writeSync(1, '\n' + text + '\n');
}

async function main() {
  const factory = new Function('require', `${request.code}\nreturn typeof main === 'function' ? main : undefined;`);
  const userMain = factory(require);
  if (typeof userMain !== 'function') {
    throw new ReferenceError('The code must define a function main(...)');
  }
  const result = await userMain(request.inputs || {});
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw new TypeError('main() must return an object');
  }
  return result;
}

main().then(
  (result) => finish({ ok: true, result }),
  (error) => finish({ ok: false, error_type: (error && error.name) || 'Error', error: String(error && error.message) }),
);
