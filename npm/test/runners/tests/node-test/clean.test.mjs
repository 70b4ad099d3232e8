// node:test: this test must PASS — a full LRU cache that churns, and templates built once, lazily,
// after the first snapshot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoLeak } from 'heapdiff';
import { handleRequest, pageCache, CAPACITY, isReportLoaded } from '../../app/clean.js';

test('clean.js handleRequest leaks no memory', async () => {
  const warmup = 5;
  await assertNoLeak(
    (i) => {
      handleRequest({ id: i, route: '/products' });
      if (i >= warmup + 2) handleRequest({ id: i, route: '/report' }); // first at i = 7
    },
    { warmup },
  );
  assert.equal(pageCache.size, CAPACITY);
  assert.ok(isReportLoaded());
});
