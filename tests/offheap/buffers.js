// A TCP service that keeps an 8-byte header view of every chunk it reads: each view keeps
// the whole 64 KiB read buffer alive (nodejs/help#1518's shape). node --expose-gc buffers.js DIR
const net = require('net');
const { snapshot } = require('./snap');
const headers = new Map();
let next = 0;
const server = net.createServer((socket) =>
  socket.on('data', (chunk) => headers.set(next++, chunk.subarray(0, 8))),
);
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const send = () =>
    new Promise((done) => {
      const client = net.connect(port, '127.0.0.1', () => client.end(Buffer.alloc(256 * 1024, 1)));
      client.on('close', done);
    });
  for (let step = 1; step <= 3; step++) {
    for (let i = 0; i < 60; i++) await send();
    await snapshot(process.argv[2], step);
  }
  server.close();
});
