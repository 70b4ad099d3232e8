// express with a client that opens a keep-alive socket per request to an upstream and never
// ends it: each socket (and its parser, buffers and timers) stays open, held by libuv's
// handles rather than by any JavaScript container.
'use strict';
const net = require('net');
const express = require('express');
const { run, get, listen } = require('./harness');

run({
  description: 'a socket per request to an upstream, never ended (held by native handles)',
  markers: ['Socket', 'TCP'],
  async setup() {
    const upstream = net.createServer((socket) => socket.on('data', () => {}));
    await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const app = express();
    app.get('/proxy', (req, res) => {
      const socket = net.connect(upstream.address().port, '127.0.0.1');
      socket.setKeepAlive(true);
      socket.write('hello ' + req.query.id + '\n');
      res.json({ ok: true });
    });
    const server = await listen(app);
    return { server, upstream };
  },
  async step(ctx, step) {
    for (let i = 0; i < 60; i++) {
      await get(ctx.server.port, '/proxy?id=' + step + '-' + i);
    }
  },
  teardown: (ctx) => {
    ctx.server.close();
  },
});
