// Vitest: this test must PASS — a full LRU cache that churns, and templates built once, lazily,
// after the first snapshot.
import { expect, test } from 'vitest';
import { assertNoLeak } from 'heapdiff';
import { handleRequest, isReportLoaded, pageCache, CAPACITY } from '../../app/clean.js';

test('clean.js handleRequest leaks no memory', { timeout: 60_000 }, async () => {
  const warmup = 5;
  await assertNoLeak(
    (i) => {
      handleRequest({ id: i, route: '/products' });
      if (i >= warmup + 2) handleRequest({ id: i, route: '/report' }); // first at i = 7
    },
    { warmup },
  );
  expect(pageCache.size).toBe(CAPACITY);
  expect(isReportLoaded()).toBe(true);
});
