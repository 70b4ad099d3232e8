// ajv: a schema object built per request and compiled with one shared Ajv instance. Ajv caches
// every compiled schema by its object, so the cache grows with every request (ajv-validator/ajv
// issues about "memory leak with compile" in a loop).
'use strict';
const Ajv = require('ajv');
const { run } = require('./harness');

const ajv = new Ajv({ allErrors: true });
let n = 0;

function validateOrder(order) {
  const schema = {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      ['sku' + (n % 7)]: { type: 'string', maxLength: 32 },
      quantity: { type: 'integer', minimum: 1 },
    },
    required: ['id', 'quantity'],
  };
  const validate = ajv.compile(schema);
  n++;
  return validate(order);
}

run({
  description: 'ajv compiles a new schema object per request; Ajv._cache keeps each one',
  markers: ['_cache', 'SchemaEnv', 'validate'],
  step(_ctx, _step) {
    for (let i = 0; i < 150; i++) {
      validateOrder({ id: i, quantity: 1 });
    }
  },
});
