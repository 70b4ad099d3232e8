// A real leaking Node service, grown to a chosen heap size, for benchmarks on real heaps
// (issue 20): an express app whose request handler compiles an AJV schema per request (the
// validator leaks in AJV's cache), keeps express-session's MemoryStore sessions, caches
// responses in a bounded lru-cache (churn) and makes per-request garbage. It writes three
// snapshots: base (warmed up), mid, and late (about TARGET_MB of heap).
//
//   node --max-old-space-size=8000 benches/real-heap.js TARGET_MB OUTDIR
//
// Uses the corpus's pinned npm packages (corpus/node_modules; `cd corpus && npm ci`).
'use strict';
const path = require('path');
const v8 = require('v8');
const fs = require('fs');
const modules = path.join(__dirname, '..', 'corpus', 'node_modules');
const Ajv = require(path.join(modules, 'ajv'));
const express = require(path.join(modules, 'express'));
const session = require(path.join(modules, 'express-session'));
const { LRUCache } = require(path.join(modules, 'lru-cache'));

const targetMb = Number(process.argv[2] || 600);
const outDir = process.argv[3] || path.join(__dirname, '..', 'bench-data', `real-${targetMb}`);
fs.mkdirSync(outDir, { recursive: true });

const ajv = new Ajv({ allErrors: true });
const responses = new LRUCache({ max: 5000 });
const audit = [];
const app = express();
app.use(session({ secret: 'bench', resave: false, saveUninitialized: true }));
app.post('/orders/:id', (req, res) => {
  // The leak: a new schema object per request, so AJV compiles (and caches) a validator each time.
  const schema = {
    type: 'object',
    properties: { id: { type: 'string' }, qty: { type: 'integer', minimum: 1 }, note: { type: 'string' } },
    required: ['id', 'qty'],
    $comment: 'order ' + req.params.id,
  };
  const validate = ajv.compile(schema);
  const body = { id: req.params.id, qty: 1 + (req.params.id.length % 5), note: 'x'.repeat(40) };
  const ok = validate(body);
  req.session.last = req.params.id;
  responses.set(req.params.id, { ok, body: JSON.stringify(body), at: Date.now() });
  audit.push({ id: req.params.id, at: Date.now() });
  if (audit.length > 1000) audit.splice(0, 500);
  res.json({ ok });
});

/** Drives `count` requests through the app in-process (no sockets: the heap is the point). */
function drive(from, count) {
  const router = app;
  for (let i = from; i < from + count; i++) {
    const req = {
      method: 'POST', url: '/orders/' + i, headers: {}, params: {}, query: {},
      connection: {}, socket: {}, get() { return undefined; }, header() { return undefined; },
    };
    const res = {
      statusCode: 200, headers: {}, setHeader(k, v) { this.headers[k] = v; }, getHeader(k) { return this.headers[k]; },
      removeHeader(k) { delete this.headers[k]; }, end() {}, json() { this.end(); }, on() {}, once() {}, emit() {},
      writeHead() {}, write() {},
    };
    router.handle(req, res, () => {});
  }
}

function heapMb() {
  global.gc && global.gc();
  return process.memoryUsage().heapUsed / 1e6;
}

let sent = 0;
drive(sent, 2000);
sent += 2000;
v8.writeHeapSnapshot(path.join(outDir, 'base.heapsnapshot'));
const baseMb = heapMb();
const midMb = baseMb + (targetMb - baseMb) / 2;
let wroteMid = false;
while (heapMb() < targetMb) {
  drive(sent, 1000);
  sent += 1000;
  if (!wroteMid && heapMb() >= midMb) {
    v8.writeHeapSnapshot(path.join(outDir, 'mid.heapsnapshot'));
    wroteMid = true;
  }
}
v8.writeHeapSnapshot(path.join(outDir, 'late.heapsnapshot'));
console.log(`${sent} requests; heap ${baseMb.toFixed(0)} MB → ${heapMb().toFixed(0)} MB; snapshots in ${outDir}`);
