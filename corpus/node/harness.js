// Runs one leak scenario in this Node process and writes four heap snapshots, s1 … s4, plus
// truth.json (which names identify the leak and each decoy) into OUTDIR.
//
// Every scenario gets the same three decoys that real services have:
// - a bounded LRU cache (lru-cache, max 400) that is full before s1 and churns at every step;
// - temporary garbage at every step (dropped before the snapshot);
// - a one-time lazy initialisation right after s1, larger than the leak's whole growth.
// The leak itself runs before s1 too (a service leaks from its start) and at every step.
//
// Requests in flight (opt-in, `inFlight` on the scenario object). A box is snapshotted while it
// serves traffic, so every snapshot also holds the requests in flight at that moment: sockets,
// HTTP parsers, IncomingMessage/ServerResponse, ClientRequest, body buffers, per-request
// closures, pending promises and timers, different requests at each snapshot. With
//
//   inFlight: { concurrency: 24, target: (ctx) => ({ port, path }) }   // both optional
//
// the harness, around every snapshot (s1 … s4), sends `concurrency` (default 24) fresh POST
// requests to 127.0.0.1 (each on a new socket, `agent: false`, with a 2-8 kB body Buffer and
// its own response closure) and waits until every one is held by its handler; writes the
// snapshot; then releases them and waits until every response has ended and every socket has
// closed, so the requests of one snapshot are gone before the next step starts. Without
// `target`, they go to a server of the harness (node:http, the `heldHandler` below). With
// `target`, they go to the scenario's own server at that path (`?held=<snapshot>-<i>` is
// appended), and something serving them must call `hold()` once per request (e.g. an upstream
// that uses `heldHandler`), else the harness throws. `hold()` returns a promise that resolves
// when the harness releases the requests (a pending promise and a pending Timeout each until
// then; the release functions wait in a module variable, `heldRound`, as in a pool's wait
// queue). truth.json then also says `in_flight: N`. Without `inFlight`, nothing of this runs.
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

// The requests in flight around one snapshot: `hold()` registers each as it arrives.
let heldRound = null;

/**
 * For a handler serving a request in flight: resolves when the harness releases the requests
 * held around the current snapshot (at once when no snapshot is being taken).
 */
function hold() {
  const round = heldRound;
  if (round === null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    // A pending timer per held request too, as a real slow handler has (a deadline).
    const deadline = setTimeout(function heldDeadline() {
      resolve();
    }, 60 * 1000);
    round.releases.push(function releaseHeld() {
      clearTimeout(deadline);
      resolve();
    });
    round.arrived();
  });
}

/** A slow endpoint: reads the request body, waits in `hold()`, then answers with a summary. */
function heldHandler(req, res) {
  const chunks = [];
  const started = Date.now();
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', async function heldRequestBody() {
    const body = Buffer.concat(chunks);
    const meta = { url: req.url, id: req.headers['x-request-id'], bytes: body.length, started };
    await hold();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true, id: meta.id, bytes: meta.bytes, checksum: body[0] + body[body.length - 1] }));
  });
}

/** One request in flight: POST with a 2-8 kB body on its own socket; resolves when it is over. */
function sendHeld(port, urlPath, tag, i) {
  const seed = [...tag].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, i + 1);
  const size = 2048 + (Math.imul(seed, 2654435761) >>> 0) % 6144;
  const body = Buffer.alloc(size, 97 + (i % 26));
  const requestId = 'held-' + tag + '-' + i;
  const sep = urlPath.includes('?') ? '&' : '?';
  return new Promise((resolve, reject) => {
    let ended = false;
    let closed = false;
    const done = () => ended && closed && resolve();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath + sep + 'held=' + tag + '-' + i,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/octet-stream', 'content-length': size, 'x-request-id': requestId },
      },
      function onHeldResponse(res) {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          ended = true;
          done();
        });
      },
    );
    req.on('error', reject);
    req.on('close', () => {
      closed = true;
      done();
    });
    req.end(body);
  });
}

/**
 * Puts `count` requests in flight (to the target, or to the harness's own slow server) and
 * resolves, once every one is held, with a function that releases them and resolves when all
 * are over.
 */
async function startInFlight(target, count, tag) {
  if (heldRound !== null) {
    throw new Error('requests of an earlier snapshot are still in flight');
  }
  let allArrived;
  const arrivedAll = new Promise((resolve) => (allArrived = resolve));
  let arrivedCount = 0;
  const round = {
    releases: [],
    arrived() {
      arrivedCount++;
      if (arrivedCount === count) allArrived();
    },
  };
  heldRound = round;
  const sent = [];
  for (let i = 0; i < count; i++) {
    sent.push(sendHeld(target.port, target.path, tag, i));
  }
  const failed = Promise.all(sent).then(() => {
    throw new Error('requests in flight answered before they were held (does the target call hold()?)');
  });
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(arrivedCount + ' of ' + count + ' requests in flight were held')), 15000);
  });
  await Promise.race([arrivedAll, failed, late]);
  clearTimeout(timer);
  failed.catch(() => {});
  return async function release() {
    heldRound = null;
    for (const releaseOne of round.releases) releaseOne();
    await Promise.all(sent);
    // The server's ends of the sockets close right after the clients' ends.
    await new Promise((resolve) => setTimeout(resolve, 50));
  };
}

async function run(scenario) {
  const outDir = process.argv[2] || '.';
  fs.mkdirSync(outDir, { recursive: true });
  // A service's event loop turns between requests: let pending ticks and immediates run.
  const settle = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
  let snapshot = async (name) => {
    await settle();
    global.gc();
    v8.writeHeapSnapshot(path.join(outDir, name + '.heapsnapshot'));
  };
  const context = scenario.setup ? await scenario.setup() : {};
  const inFlight = scenario.inFlight ? { concurrency: 24, ...scenario.inFlight } : null;
  if (inFlight) {
    let target;
    if (inFlight.target) {
      target = inFlight.target(context);
    } else {
      const own = await listen(heldHandler);
      target = { port: own.port, path: '/slow' };
    }
    const snapshotAlone = snapshot;
    snapshot = async (name) => {
      const release = await startInFlight(target, inFlight.concurrency, name);
      await snapshotAlone(name);
      await release();
    };
  }
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
  if (inFlight) {
    truth.in_flight = inFlight.concurrency;
  }
  fs.writeFileSync(path.join(outDir, 'truth.json'), JSON.stringify(truth, null, 2) + '\n');
  // Keep the decoys reachable to the very end.
  if (responseCache.size === 0 || (geoIndex === null && regionRegistry.regions.length === 0)) {
    throw new Error('decoys lost');
  }
  process.exit(0);
}

module.exports = { run, get, listen, hold, heldHandler };
