// node core http + express: the handler calls an upstream service with a keep-alive agent it
// creates for that one call, `new http.Agent({ keepAlive: true })`, and never destroys. After
// the response the agent keeps its socket in `freeSockets` for reuse that never comes; the
// upstream keeps the connection open (keep-alive timeout 65 s, as behind a load balancer), so
// the socket's TCP handle keeps the Socket, and through its listeners the Agent, alive.
// Reported in newrelic/newrelic-telemetry-sdk-node#39 ("https agent for keep alive created each
// request", found while investigating #37 "Potential memory leak") and in the Azure SDK's
// core-http (Azure/azure-sdk-for-js#5396 and #5398: a new keepAlive agent per request raised
// memory use until the sockets timed out; fixed by reusing agents in #5552).
// The upstream runs in a child process (another local server), so this heap holds only the
// service's side of each connection. The snapshots are taken with requests in flight (harness
// `inFlight`): checkouts waiting on a slow upstream call, each with its own new agent too.
'use strict';
const http = require('http');
const { fork } = require('child_process');

if (process.env.CORPUS_UPSTREAM === '1') {
  // The upstream (child process): /inventory/* answers at once; /reserve waits until the
  // service's harness releases it (its requests are the ones in flight at a snapshot).
  const waiting = new Map();
  const upstream = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const answer = () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ path: req.url, inStock: 7, warehouse: 'east-2', bytes: Buffer.concat(chunks).length }));
      };
      const held = req.headers['x-held'];
      if (held) {
        waiting.set(held, answer);
        process.send({ held });
      } else {
        answer();
      }
    });
  });
  upstream.keepAliveTimeout = 65 * 1000;
  process.on('message', (m) => {
    const answer = waiting.get(m.release);
    waiting.delete(m.release);
    if (answer) answer();
  });
  process.on('disconnect', () => process.exit(0));
  upstream.listen(0, '127.0.0.1', () => process.send({ port: upstream.address().port }));
} else {
  const express = require('express');
  const { run, get, listen, hold } = require('./harness');

  /** One upstream call on its own keep-alive agent: the bug. */
  function callUpstream(port, method, path, body, headers) {
    const agent = new http.Agent({ keepAlive: true });
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method, path, agent, headers: { 'content-type': 'application/json', ...headers } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve(JSON.parse(text)));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  run({
    description: 'a new http.Agent({ keepAlive: true }) per upstream call, never destroyed: its free socket stays open',
    markers: ['Agent', 'freeSockets', 'keepAlive'],
    inFlight: { concurrency: 24, target: (ctx) => ({ port: ctx.server.port, path: '/checkout' }) },
    async setup() {
      const child = fork(__filename, [], { env: { ...process.env, CORPUS_UPSTREAM: '1' } });
      const upstreamPort = await new Promise((resolve) => child.once('message', (m) => resolve(m.port)));
      // The upstream tells when a call is waiting on it; the harness decides when it answers.
      child.on('message', (m) => {
        if (m.held) hold().then(() => child.send({ release: m.held }));
      });

      const app = express();
      app.get('/orders/:id', async (req, res, next) => {
        try {
          const stock = await callUpstream(upstreamPort, 'GET', '/inventory/' + req.params.id);
          res.json({ order: req.params.id, stock });
        } catch (err) {
          next(err);
        }
      });
      app.post('/checkout', express.raw({ type: '*/*', limit: '1mb' }), async (req, res, next) => {
        try {
          const body = JSON.stringify({ cart: req.query.held, size: req.body.length });
          const reservation = await callUpstream(upstreamPort, 'POST', '/reserve', body, { 'x-held': req.query.held });
          res.json({ ok: true, reservation });
        } catch (err) {
          next(err);
        }
      });
      const server = await listen(app);
      return { server, child };
    },
    async step(ctx, step) {
      for (let i = 0; i < 40; i++) {
        await get(ctx.server.port, '/orders/' + step + '-' + i);
      }
    },
    teardown(ctx) {
      ctx.server.close();
      ctx.child.kill();
    },
  });
}
