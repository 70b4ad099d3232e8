// lodash.memoize keyed by a per-request value: the memo cache (a MapCache) has no bound, so
// every distinct key stays forever (lodash issues about memoize caches that only grow).
'use strict';
const _ = require('lodash');
const { run } = require('./harness');

class Quote {
  constructor(key) {
    this.key = key;
    this.lines = [{ sku: key, total: key.length * 3 }];
    this.currency = 'EUR';
  }
}

const quoteFor = _.memoize((cartKey) => new Quote(cartKey));

let n = 0;
run({
  description: 'lodash.memoize with a per-request key: the MapCache grows without bound',
  markers: ['Quote', 'MapCache', 'Hash', '__data__', 'quoteFor'],
  step() {
    for (let i = 0; i < 300; i++) {
      quoteFor('cart-' + n++ + '-' + Date.now());
    }
  },
});
