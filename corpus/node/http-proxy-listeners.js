// http-proxy: an express gateway shares one ProxyServer, but its route handler registers an
// 'error' listener on that proxy for every request (to answer 502 on this request's `res`)
// and never removes it. http-proxy's EventEmitter3 keeps every listener in `_events.error`, and
// each closure keeps its request's IncomingMessage, ServerResponse and closed Socket alive.
// Reported in http-party/node-http-proxy#1226 ("Listen event wrong bug": proxy.on('error')
// called in the handler of a global proxy, so the third request's error is caught three times;
// the maintainers' answer: create the listener where the proxy is created), and in
// stegano/next-http-proxy-middleware#65 (a global http-proxy instance gets new event listeners
// on every request: a memory leak). The snapshots are taken with requests in flight through the
// same gateway, held by a slow backend (harness `inFlight`).
'use strict';
const http = require('http');
const express = require('express');
const httpProxy = require('http-proxy');
const { run, get, listen, heldHandler } = require('./harness');

const proxy = httpProxy.createProxyServer({ xfwd: true });

run({
  description: "proxy.on('error') per request on a shared http-proxy ProxyServer, never removed",
  markers: ['ProxyServer', 'onProxyError'],
  inFlight: { concurrency: 24, target: (ctx) => ({ port: ctx.gateway.port, path: '/api/slow/report' }) },
  async setup() {
    // The backend: answers at once, except /slow/*, which is slow (held around each snapshot).
    const backend = http.createServer((req, res) => {
      if (req.url.startsWith('/slow/')) {
        return heldHandler(req, res);
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url, items: [1, 2, 3], served: Date.now() }));
    });
    await new Promise((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const target = 'http://127.0.0.1:' + backend.address().port;

    const app = express();
    app.use('/api', function proxyToBackend(req, res) {
      proxy.on('error', function onProxyError(err) {
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/json' });
        }
        res.end(JSON.stringify({ error: 'bad gateway', path: req.originalUrl, reason: err.code }));
      });
      proxy.web(req, res, { target });
    });
    const gateway = await listen(app);
    return { gateway, backend };
  },
  async step(ctx, step) {
    for (let i = 0; i < 40; i++) {
      await get(ctx.gateway.port, '/api/items/' + step + '-' + i + '?fields=name,price');
    }
  },
  teardown(ctx) {
    ctx.gateway.close();
    ctx.backend.close();
  },
});
