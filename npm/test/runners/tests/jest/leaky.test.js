// Jest: this test is meant to FAIL — app/leaky.js adds a listener per request.
const { assertNoLeak } = require('heapdiff');
const { handleRequest } = require('../../app/leaky.js');

// A leak test takes seconds (heap snapshots and heapdiff's analysis): Jest's default 5 s is too
// short, hence the timeout of 60 s. package.json sets Jest's `transform` to {}: with Babel (the
// default) the snapshots hold positions in Babel's output, and the site would be leaky.js:20.
test('leaky.js handleRequest leaks no memory', async () => {
  await assertNoLeak((i) => handleRequest({ user: `user${i}`, headers: { accept: 'text/html' } }));
}, 60_000);
