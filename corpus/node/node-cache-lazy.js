// node-cache created lazily by the first request of a new feature (after the first snapshot),
// with no TTL and no size limit, keyed by request: the cache and its holder are both new.
'use strict';
const NodeCache = require('node-cache');
const { run } = require('./harness');

const features = { recommendations: null };

function recommendationsFor(userId) {
  if (!features.recommendations) {
    features.recommendations = new NodeCache({ stdTTL: 0, checkperiod: 0, useClones: false });
  }
  const key = 'user:' + userId;
  let value = features.recommendations.get(key);
  if (!value) {
    value = { userId, items: ['a' + userId, 'b' + userId, 'c' + userId], scoredAt: Date.now() };
    features.recommendations.set(key, value);
  }
  return value;
}

let n = 0;
run({
  description: 'a node-cache made lazily after s1, unbounded, keyed per request',
  markers: ['recommendations', 'NodeCache'],
  step(_ctx, step) {
    if (step === 0) {
      return;
    }
    for (let i = 0; i < 250; i++) {
      recommendationsFor(n++);
    }
  },
});
