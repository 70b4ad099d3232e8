// A service that keeps a 16-byte id per request, made with Buffer.from: Node cuts small
// Buffers out of a shared 8 KiB pool, so each kept id holds its whole pool, which the
// request's 4,000-byte body (from the same pool, dropped) filled. node --expose-gc pool.js DIR
const crypto = require('crypto');
const { snapshot } = require('./snap');
const ids = [];
(async () => {
  for (let step = 1; step <= 3; step++) {
    for (let i = 0; i < 3000; i++) {
      const body = Buffer.from('x'.repeat(4000));
      ids.push(Buffer.from(crypto.randomBytes(8).toString('hex')));
      void body;
    }
    await snapshot(process.argv[2], step);
  }
})();
