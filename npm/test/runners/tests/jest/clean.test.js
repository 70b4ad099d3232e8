// Jest: this test must PASS — a full LRU cache that churns, and templates built once, lazily,
// after the first snapshot.
const { assertNoLeak } = require('heapdiff');
const { handleRequest, isReportLoaded, pageCache, CAPACITY } = require('../../app/clean.js');

test('clean.js handleRequest leaks no memory', async () => {
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
}, 60_000);
