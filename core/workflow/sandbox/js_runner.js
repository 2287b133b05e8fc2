// Runs user JavaScript inside the sandbox: reads {code, inputs} JSON on stdin, calls main(inputs).
// Started as `node -e <this file>`. The result is the last line written to fd 1; console output goes
// to stderr. This file enforces nothing: the operating system does (see __init__.py).
'use strict';

// one function scope: under `node -e` top-level names would be globals the user's code could see
(() => {
  const fs = require('fs');

  const writeSync = fs.writeSync;
  const request = JSON.parse(fs.readFileSync(0, 'utf8'));
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
})();
