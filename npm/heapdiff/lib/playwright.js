'use strict';
// Leak tests of a web page in Playwright: repeat one user action, snapshot the page's heap over
// the Chrome DevTools Protocol at equal steps, let heapdiff judge the series. Uses only the Page
// it is given: the heapdiff package does not load Playwright.

const fs = require('node:fs');
const { settings, measure, assertResult } = require('./series.js');

/** The browser of `page` (`chromium`, `firefox`, `webkit`), or null when Playwright cannot say. */
function browserName(page) {
  try {
    return page.context().browser()?.browserType().name() ?? null;
  } catch {
    return null;
  }
}

/** A CDP session to `page`; an error saying that Chromium is needed when there is none. */
async function openSession(page) {
  if (page === null || typeof page !== 'object' || typeof page.context !== 'function') {
    throw new TypeError('heapdiff/playwright: the first argument must be a Playwright Page');
  }
  const name = browserName(page);
  const needChromium = (why) =>
    new Error(
      'heapdiff/playwright needs a Chromium page: it takes heap snapshots over the Chrome ' +
        `DevTools Protocol, which Playwright offers only for Chromium (${why}). Run the leak ` +
        "test in a Chromium project, e.g. with test.skip(browserName !== 'chromium').",
    );
  if (name !== null && name !== 'chromium') throw needChromium(`the page runs in ${name}`);
  try {
    return await page.context().newCDPSession(page);
  } catch (error) {
    if (/only available in Chromium/i.test(error.message)) throw needChromium(error.message);
    throw new Error(
      `heapdiff/playwright: no DevTools Protocol session to the page: ${error.message}`,
      { cause: error },
    );
  }
}

/**
 * The heap of one page's renderer, snapshotted over `session`. Before each snapshot the page
 * settles (two animation frames and a timer turn, so that what the last action scheduled has
 * run) and garbage is collected twice (objects freed by finalizers and weak callbacks of the
 * first collection go in the second).
 */
class PageHeap {
  constructor(page, session) {
    this.page = page;
    this.session = session;
    this.enabled = false;
  }

  async settle() {
    await this.page.evaluate(
      () =>
        new Promise((resolve) => {
          // rAF does not fire in a hidden page: the timer is the way out then.
          const timer = setTimeout(resolve, 500);
          requestAnimationFrame(() =>
            requestAnimationFrame(() => {
              clearTimeout(timer);
              setTimeout(resolve, 0);
            }),
          );
        }),
    );
  }

  async collectGarbage() {
    if (!this.enabled) {
      await this.session.send('HeapProfiler.enable');
      this.enabled = true;
    }
    await this.settle();
    await this.session.send('HeapProfiler.collectGarbage');
    await this.page.waitForTimeout(50);
    await this.session.send('HeapProfiler.collectGarbage');
  }

  async snapshot(file) {
    await this.collectGarbage();
    const out = fs.createWriteStream(file);
    const closed = new Promise((resolve, reject) => {
      out.on('close', resolve);
      out.on('error', reject);
    });
    // A failed write must not become an unhandled rejection while the snapshot streams.
    closed.catch(() => {});
    const onChunk = ({ chunk }) => out.write(chunk);
    this.session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
    try {
      // Playwright delivers the chunk events of a command before its reply.
      await this.session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    } finally {
      this.session.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
      out.end();
    }
    await closed;
  }

  async close() {
    try {
      await this.session.detach();
    } catch {
      // The page or browser closed already: the session went with it.
    }
  }
}

function checkAction(action) {
  if (typeof action !== 'function') {
    throw new TypeError(
      'heapdiff/playwright: the second argument must be the action to repeat, ' +
        'e.g. async (i) => { await page.click(…) }',
    );
  }
}

/**
 * Repeats `action(i)` on `page` (a Playwright Page of Chromium), snapshots the page's heap at
 * equal steps and asks heapdiff whether anything grew at every step. Resolves to
 * `{ leaked, message, report, snapshots, dir }`.
 */
async function checkLeak(page, action, options) {
  checkAction(action);
  const s = { ...settings(options), unit: 'action' };
  const heap = new PageHeap(page, await openSession(page));
  try {
    return await measure((i) => action(i), heap, s);
  } finally {
    await heap.close();
  }
}

/**
 * The error's stack with only the first line of its message. Playwright reads every line of a
 * stack that ends in `FILE:LINE:COLUMN` as a call frame, message lines too: the message's
 * `made by: Function f @ http://…/app.js:12:5` would become the error's location, and the
 * report would show no code frame of the test. The whole message stays in `error.message`.
 */
function stackWithoutMessage(error) {
  const lines = String(error.stack ?? '').split('\n');
  const frames = lines.findIndex((line) => /^\s+at /.test(line));
  if (frames === -1) return;
  error.stack = [`${error.name}: ${error.message.split('\n')[0]}`, ...lines.slice(frames)].join('\n');
}

/**
 * Like `checkLeak`, but rejects with an AssertionError whose message is heapdiff's verdict
 * and first finding when something grew at every step; resolves to the result otherwise.
 */
async function assertNoLeak(page, action, options) {
  const result = await checkLeak(page, action, options);
  try {
    return assertResult(result, assertNoLeak);
  } catch (error) {
    stackWithoutMessage(error);
    throw error;
  }
}

module.exports = { assertNoLeak, checkLeak };
