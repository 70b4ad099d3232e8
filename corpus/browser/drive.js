// Drives one browser scenario (an HTML page in this folder) in headless Chromium and writes
// s1 … s4 heap snapshots (over the DevTools protocol) and truth.json into OUTDIR.
// Usage: node drive.js PAGE.html OUTDIR
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

async function main() {
  const [page, outDir] = process.argv.slice(2);
  fs.mkdirSync(outDir, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'heapdiff-corpus-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
      '--allow-file-access-from-files',
    ],
  });
  try {
    const tab = browser.pages()[0] || (await browser.newPage());
    await tab.goto('file://' + path.resolve(page));
    await tab.waitForFunction(() => window.scenario && window.decoys);
    const cdp = await browser.newCDPSession(tab);
    const snapshot = async (name) => {
      await cdp.send('HeapProfiler.enable');
      await cdp.send('HeapProfiler.collectGarbage');
      const file = fs.openSync(path.join(outDir, name + '.heapsnapshot'), 'w');
      const onChunk = ({ chunk }) => fs.writeSync(file, chunk);
      cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
      await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
      fs.closeSync(file);
    };
    await tab.evaluate(() => window.decoys.churn(300));
    await tab.evaluate(() => window.scenario.step(0));
    await snapshot('s1');
    for (let step = 1; step <= 3; step++) {
      await tab.evaluate((s) => window.scenario.step(s), step);
      await tab.evaluate(() => {
        window.decoys.churn(500);
        window.decoys.garbage();
      });
      if (step === 1) {
        await tab.evaluate(() => window.decoys.lazyInit(window.scenario.initEntries || 6000));
      }
      await snapshot('s' + (step + 1));
    }
    const info = await tab.evaluate(() => ({
      description: window.scenario.description,
      markers: window.scenario.markers,
    }));
    const truth = {
      scenario: path.basename(page, '.html'),
      description: info.description,
      leak: info.markers,
      cache: ['CachedResponse', 'LRUCache'],
      init: ['GeoEntry', 'geoIndex'],
      browser: browser.browser() ? browser.browser().version() : 'chromium',
    };
    fs.writeFileSync(path.join(outDir, 'truth.json'), JSON.stringify(truth, null, 2) + '\n');
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
