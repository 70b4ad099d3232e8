// A listener on process per request ("flush on exit"), each closure holding a slice of a fresh
// Buffer: process._events.exit grows, and so does external memory.
'use strict';
const { run } = require('./harness');

process.setMaxListeners(0);
let n = 0;
function handleUpload() {
  const chunk = Buffer.alloc(2048, n++ % 256);
  const pending = chunk.subarray(0, 1024);
  process.on('exit', function flushPendingUpload() {
    process.stdout.write(pending.length ? '' : '');
  });
}

run({
  description: 'process.on("exit") per request, each listener holding a Buffer slice',
  markers: ['flushPendingUpload', 'exit'],
  step() {
    for (let i = 0; i < 120; i++) {
      handleUpload();
    }
  },
});
