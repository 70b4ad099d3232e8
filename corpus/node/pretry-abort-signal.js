// p-retry 5: every `pRetry(fn, { signal })` call adds an 'abort' listener to the signal it is
// given and never removes it when the operation settles. The service passes its process-wide
// shutdown signal (one AbortController for the life of the process, aborted on SIGTERM so that
// retries stop) to every upstream call, so the signal's EventTarget listener list gains a
// listener per call, each closure holding the call's RetryOperation (its timeouts and the
// errors of the failed attempts), its options and its promise's reject function. As in
// sindresorhus/p-retry#71 "Remove the signal.onabort listener when finished"
// ("MaxListenersExceededWarning: Possible EventTarget memory leak detected. 71 abort listeners
// added to [AbortSignal]"; fixed in p-retry 6); the same long-lived-signal pattern as
// nodejs/node#35990 and nodejs/undici#3157.
'use strict';
const http = require('http');
const { setMaxListeners } = require('events');
const pRetry = require('p-retry').default;
const { run, listen } = require('./harness');

// Aborted on SIGTERM: in-flight retries give up at once instead of delaying shutdown.
const shutdownController = new AbortController();
// The service knows the signal is shared and silenced the warning (as the users did).
setMaxListeners(0, shutdownController.signal);
process.once('SIGTERM', () => shutdownController.abort(new Error('shutting down')));

/** The inventory service upstream: every fourth first attempt is a 503 (a flaky dependency). */
const attemptsBySku = new Map();
function inventoryUpstream(req, res) {
  const sku = new URL(req.url, 'http://x').searchParams.get('sku');
  const attempt = (attemptsBySku.get(sku) || 0) + 1;
  if (attempt === 1 && sku.endsWith('3')) {
    attemptsBySku.set(sku, attempt);
  } else {
    attemptsBySku.delete(sku);
  }
  res.statusCode = attemptsBySku.has(sku) ? 503 : 200;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ sku, available: sku.length % 5, warehouse: 'WH-' + (sku.length % 3) }));
}

function getJson(port, path) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      })
      .on('error', reject);
  });
}

let n = 0;
/** One order-page request: the stock of its item, retried on 5xx, abortable on shutdown. */
async function stockFor(port) {
  const sku = 'SKU-' + (100000 + n++);
  const requestId = 'req-' + n + '-' + Date.now().toString(36);
  return pRetry(
    async () => {
      const { status, body } = await getJson(port, '/stock?sku=' + sku);
      if (status >= 500) {
        throw new Error('inventory upstream answered ' + status + ' for ' + sku + ' (request ' + requestId + ')');
      }
      return JSON.parse(body);
    },
    {
      retries: 3,
      minTimeout: 2,
      factor: 1,
      signal: shutdownController.signal,
      onFailedAttempt(error) {
        if (error.retriesLeft === 0) console.error(requestId, error.message);
      },
    },
  );
}

run({
  description:
    'p-retry 5 called with a process-wide shutdown AbortSignal: every call leaves its abort listener (and its RetryOperation) on the signal',
  markers: ['RetryOperation', 'AbortSignal', 'shutdownController', 'kEvents', 'pRetry'],
  async setup() {
    return listen(inventoryUpstream);
  },
  async step(upstream) {
    for (let batch = 0; batch < 15; batch++) {
      const calls = [];
      for (let i = 0; i < 10; i++) calls.push(stockFor(upstream.port));
      await Promise.all(calls);
    }
  },
  teardown(upstream) {
    upstream.close();
  },
});
