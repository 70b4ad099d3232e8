// express: a heartbeat interval started per request and never cleared. Node's timer list
// keeps every Timeout and the closure (with the request state) it calls.
'use strict';
const express = require('express');
const { run, get, listen } = require('./harness');

run({
  description: 'setInterval per request in an express handler, never cleared',
  markers: ['Timeout', 'heartbeat', 'TimersList', '_idleNext'],
  async setup() {
    const app = express();
    app.get('/stream', (req, res) => {
      const client = { id: req.query.id, lastPing: 0, buffer: new Array(16).fill(req.query.id) };
      setInterval(function heartbeat() {
        client.lastPing = Date.now();
      }, 3600 * 1000);
      res.json({ ok: true });
    });
    return listen(app);
  },
  async step(server, step) {
    for (let i = 0; i < 150; i++) {
      await get(server.port, '/stream?id=c' + step + '-' + i);
    }
  },
  teardown: (server) => {
    server.close();
  },
});
