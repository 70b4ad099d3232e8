// express-session with its default MemoryStore: every request without a cookie starts a
// session that is stored as a JSON string and never pruned (the library warns it "will leak
// memory" in production).
'use strict';
const express = require('express');
const session = require('express-session');
const { run, get, listen } = require('./harness');

run({
  description: 'express-session MemoryStore keeps a JSON string per session forever',
  markers: ['MemoryStore', 'sessions'],
  async setup() {
    const app = express();
    app.use(session({ secret: 'corpus', resave: false, saveUninitialized: true, cookie: { maxAge: 864e5 } }));
    app.get('/cart', (req, res) => {
      req.session.cart = { items: [req.query.item, 'gift-wrap'], at: Date.now() };
      res.json({ ok: true });
    });
    return listen(app);
  },
  async step(server, step) {
    for (let i = 0; i < 200; i++) {
      await get(server.port, '/cart?item=sku-' + step + '-' + i);
    }
  },
  teardown: (server) => server.close(),
});
