// A service opening a deflate stream per client and never closing it: zlib's state (hundreds
// of KB each) is native memory that Node reports in the snapshot, not in the JS heap.
// node --expose-gc zlib.js DIR
const zlib = require('zlib');
const { snapshot } = require('./snap');
const clients = new Map();
(async () => {
  for (let step = 1; step <= 3; step++) {
    for (let i = 0; i < 100; i++) {
      const stream = zlib.createDeflate({ level: 9, memLevel: 9 });
      stream.write('hello');
      clients.set(clients.size, { stream });
    }
    await snapshot(process.argv[2], step);
  }
})();
