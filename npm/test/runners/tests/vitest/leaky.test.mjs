// Vitest: this test is meant to FAIL — app/leaky.js adds a listener per request.
import { test } from 'vitest';
import { assertNoLeak } from 'heapdiff';
import { handleRequest } from '../../app/leaky.js';

// A leak test takes seconds: Vitest's default timeout of 5 s is too short.
test('leaky.js handleRequest leaks no memory', { timeout: 60_000 }, async () => {
  await assertNoLeak((i) => handleRequest({ user: `user${i}`, headers: { accept: 'text/html' } }));
});
