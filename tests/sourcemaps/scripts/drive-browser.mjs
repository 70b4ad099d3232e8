// Runs the web-app bundle in headless Chromium and writes s1/s2/s3.heapsnapshot into <outdir>.
// Usage: node drive-browser.mjs <bundle app.js> <outdir>
// A node:http server on 127.0.0.1 (random port) serves a page that loads /app.js (the given
// file; its .map is NOT served, heapdiff is to find it with --source-maps). Playwright-core
// drives /usr/bin/chromium (or $CHROMIUM); snapshots are taken over the DevTools protocol
// (HeapProfiler.collectGarbage, then HeapProfiler.takeHeapSnapshot with the chunks streamed
// to the file). Same schedule as drive-node.cjs: WARMUP clicks, s1, STEP, s2, STEP, s3.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const WARMUP = 300;
const STEP = 400;

const [bundle, outDir] = process.argv.slice(2);
if (!bundle || !outDir) {
  console.error('usage: node drive-browser.mjs <bundle app.js> <outdir>');
  process.exit(2);
}
const appJs = fs.readFileSync(bundle);
const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>orders</title></head>
<body><button id="place">Place order</button>
<script src="/app.js"></script>
<script>
  let clicks = 0;
  document.getElementById('place').addEventListener('click', () => webApp.click(clicks++));
</script></body></html>`;

const server = http.createServer((req, res) => {
  if (req.url === '/' || req.url === '/index.html') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page);
  } else if (req.url === '/app.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(appJs);
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'heapdiff-sourcemaps-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const tab = context.pages()[0] ?? await context.newPage();
  await tab.goto(url);
  const cdp = await context.newCDPSession(tab);
  await cdp.send('HeapProfiler.enable');

  // Clicks go through the page's button, so its DOM listener calls webApp.click(i).
  const clicks = (n) => tab.evaluate((n) => {
    const button = document.getElementById('place');
    for (let k = 0; k < n; k++) button.click();
    return webApp.stats();
  }, n);

  async function snapshot(name) {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const out = fs.createWriteStream(path.join(outDir, name));
    const onChunk = ({ chunk }) => out.write(chunk);
    cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
    await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  }

  await clicks(WARMUP);
  await snapshot('s1.heapsnapshot');
  await clicks(STEP);
  await snapshot('s2.heapsnapshot');
  const stats = await clicks(STEP);
  await snapshot('s3.heapsnapshot');
  console.log(`${path.basename(outDir)}: ${WARMUP + 2 * STEP} clicks in ${url}, ${JSON.stringify(stats)}`);
} finally {
  await context.close();
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
