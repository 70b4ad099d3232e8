// cls-hooked: an express middleware runs every request in a CLS namespace context and stores
// the request's user lookup there as a promise (`ns.set('user', loadUser(...))`, awaited where
// needed). cls-hooked maps every async resource created in a context to that context, in
// `namespace._contexts` (a Map keyed by async id), and deletes the entry only in the resource's
// async_hooks `destroy`. A promise is destroyed only when it is garbage collected, but this one
// is held by the context that the Map holds under the promise's own id: neither ever goes, so
// every request leaves its context, its user promise and the user object behind.
// Reported in Jeff-Lewis/cls-hooked#66 ("[Memory leak] Context is not cleared if it references
// a Promise": `namespace.set('x', Promise.resolve())` in an express handler, `_contexts` keeps
// growing after GC); see also #11 ("Memory leak in `_contexts`"). The snapshots are taken with
// requests in flight (harness `inFlight`): slow report requests that wait inside their context,
// each with its own entries (pending promises and timers) in the same `_contexts` Map.
'use strict';
const express = require('express');
const { createNamespace } = require('cls-hooked');
const { run, get, listen, hold } = require('./harness');

const ns = createNamespace('request');

/** The user store: an asynchronous lookup, as a database call would be. */
async function loadUser(id) {
  await new Promise((resolve) => setImmediate(resolve));
  return {
    id,
    name: 'User ' + id,
    email: 'user.' + id + '@example.com',
    roles: ['reader', 'commenter', id.endsWith('0') ? 'admin' : 'member'],
    permissions: Array.from({ length: 24 }, (_, i) => 'perm:' + (i % 6) + ':' + id),
    preferences: { locale: 'en-GB', timezone: 'Europe/London', theme: 'dark', pageSize: 50 },
  };
}

let n = 0;

run({
  description: "cls-hooked keeps a request's context in namespace._contexts when it holds a promise",
  markers: ['_contexts', 'Namespace'],
  inFlight: { concurrency: 24, target: (server) => ({ port: server.port, path: '/reports/weekly' }) },
  async setup() {
    const app = express();
    app.use(function clsContext(req, res, next) {
      ns.run(() => {
        ns.set('requestId', req.get('x-request-id') || 'req-' + n++);
        ns.set('user', loadUser(String(req.query.user || 'anonymous')));
        next();
      });
    });
    app.get('/account', async (req, res) => {
      const user = await ns.get('user');
      res.json({ id: user.id, name: user.name, requestId: ns.get('requestId') });
    });
    app.post('/reports/:name', express.raw({ type: '*/*', limit: '1mb' }), async (req, res) => {
      const user = await ns.get('user');
      await hold(); // the report takes a while
      res.json({ report: req.params.name, for: user.id, bytes: req.body.length, requestId: ns.get('requestId') });
    });
    return listen(app);
  },
  async step(server, step) {
    for (let i = 0; i < 80; i++) {
      await get(server.port, '/account?user=u' + step + '-' + i);
    }
  },
  teardown(server) {
    server.close();
  },
});
