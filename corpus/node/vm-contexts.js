// node:vm: a sandbox context per tenant request, cached by request id and never evicted. Each
// context is a whole new JavaScript realm (its own builtins), so every leaked one is large.
'use strict';
const vm = require('vm');
const { run } = require('./harness');

const sandboxes = new Map();
const script = new vm.Script('result = input.a * 2 + input.b;');

let n = 0;
function evaluate(input) {
  const id = 'req-' + n++;
  const context = vm.createContext({ input, result: 0 });
  script.runInContext(context);
  sandboxes.set(id, context);
  return context.result;
}

run({
  description: 'a vm context per request kept in a Map',
  markers: ['sandboxes'],
  step() {
    for (let i = 0; i < 12; i++) {
      evaluate({ a: i, b: 1 });
    }
  },
});
