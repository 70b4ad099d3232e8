// node:test: this test is meant to FAIL — app/leaky.js adds a listener per request.
import { test } from 'node:test';
import { assertNoLeak } from 'heapdiff';
import { handleRequest } from '../../app/leaky.js';

test('leaky.js handleRequest leaks no memory', async () => {
  await assertNoLeak((i) => handleRequest({ user: `user${i}`, headers: { accept: 'text/html' } }));
});
