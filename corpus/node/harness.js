// Runs one leak scenario in this Node process and writes four heap snapshots, s1 … s4, plus
// truth.json (which names identify the leak and each decoy) into OUTDIR.
//
// Every scenario gets the same three decoys that real services have:
// - a bounded LRU cache (lru-cache, max 400) that is full before s1 and churns at every step;
// - temporary garbage at every step (dropped before the snapshot);
// - a one-time lazy initialisation right after s1, larger than the leak's whole growth.
// The leak itself runs before s1 too (a service leaks from its start) and at every step.
'use strict';
const v8 = require('v8');
const fs = require('fs');
const path = require('path');
const http = require('http');
const { LRUCache } = require('lru-cache');

class CachedResponse {
  constructor(key, n) {
    this.key = key;
    this.body = 'response body ' + n + ' ' + 'x'.repeat(64);
    this.headers = { etag: 'W/"' + n + '"', 'content-type': 'application/json' };
  }
}

class GeoEntry {
  constructor(i) {
    this.code = 'GEO-' + i;
    this.name = 'region number ' + i;
    this.neighbours = [i - 1, i + 1, i + 7];
  }
}

// Decoy shapes vary by scenario (a stable hash of its file name), so that no one cache size,
// churn rate or kind of initialisation is all the corpus knows.
const variant = [...path.basename(require.main.filename)].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
const CACHE_MAX = [300, 500, 800][variant % 3];
const CACHE_CHURN = [150, 300, 900][(variant >> 2) % 3];
const INIT_INTO_EXISTING = (variant >> 4) % 2 === 1;

const responseCache = new LRUCache({ max: CACHE_MAX });
let cacheCounter = 0;
let geoIndex = null;
// Created at start-up, filled once on first use (when INIT_INTO_EXISTING).
const regionRegistry = { regions: [] };

function churnCache(count) {
  for (let i = 0; i < count; i++) {
    const key = '/api/item/' + cacheCounter;
    responseCache.set(key, new CachedResponse(key, cacheCounter++));
  }
}

/** Short-lived objects a request handler makes and drops. */
function makeGarbage() {
  let keep = 0;
  for (let i = 0; i < 20000; i++) {
    const tmp = { index: i, label: 'tmp' + i, parts: [i, i * 2] };
    keep += tmp.parts.length;
  }
  return keep;
}

/** The one-time lazy initialisation: an index built on first use, never changed again. */
function lazyInit(bytes) {
  const entries = Math.max(1000, Math.ceil(bytes / 220));
  if (INIT_INTO_EXISTING) {
    for (let i = 0; i < entries; i++) {
      regionRegistry.regions.push(new GeoEntry(i));
    }
    return;
  }
  geoIndex = new Map();
  for (let i = 0; i < entries; i++) {
    geoIndex.set('GEO-' + i, new GeoEntry(i));
  }
}

function heapUsed() {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
}

/** GET http://127.0.0.1:port/path, resolved with the body. */
function get(port, urlPath) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ body, headers: res.headers }));
      })
      .on('error', reject);
  });
}

/** Starts an express-style app on a free loopback port; resolves with { port, close }. */
function listen(app) {
  return new Promise((resolve) => {
    const server = http.createServer(app).listen(0, '127.0.0.1', () => {
      resolve({ port: server.address().port, close: () => server.close() });
    });
  });
}

async function run(scenario) {
  const outDir = process.argv[2] || '.';
  fs.mkdirSync(outDir, { recursive: true });
  // A service's event loop turns between requests: let pending ticks and immediates run.
  const settle = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
  const snapshot = async (name) => {
    await settle();
    global.gc();
    v8.writeHeapSnapshot(path.join(outDir, name + '.heapsnapshot'));
  };
  const context = scenario.setup ? await scenario.setup() : {};
  churnCache(CACHE_MAX);
  await scenario.step(context, 0);
  await snapshot('s1');
  for (let step = 1; step <= 3; step++) {
    const before = heapUsed();
    await scenario.step(context, step);
    await settle();
    const leaked = Math.max(0, heapUsed() - before);
    churnCache(CACHE_CHURN);
    makeGarbage();
    if (step === 1) {
      // At least the leak's whole growth (three steps like this one), within reason.
      lazyInit(Math.min(Math.max(4 * leaked, 2e5), 2.5e6));
    }
    await snapshot('s' + (step + 1));
  }
  if (scenario.teardown) {
    await scenario.teardown(context);
  }
  const truth = {
    scenario: path.basename(require.main.filename, '.js'),
    description: scenario.description,
    leak: scenario.markers,
    cache: ['CachedResponse', 'LRUCache'],
    init: ['GeoEntry', 'geoIndex', 'regionRegistry'],
    decoys: { cache_max: CACHE_MAX, cache_churn_per_step: CACHE_CHURN, init_into_existing: INIT_INTO_EXISTING },
  };
  fs.writeFileSync(path.join(outDir, 'truth.json'), JSON.stringify(truth, null, 2) + '\n');
  // Keep the decoys reachable to the very end.
  if (responseCache.size === 0 || (geoIndex === null && regionRegistry.regions.length === 0)) {
    throw new Error('decoys lost');
  }
  process.exit(0);
}

module.exports = { run, get, listen };
