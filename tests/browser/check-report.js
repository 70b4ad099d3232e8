// Opens heapdiff's HTML reports in headless Chromium (Debian's, driven by playwright-core)
// and checks what a reader does with them. Usage:
//   node check-report.js PAIR.html SERIES.html SCREENSHOT_DIR
// Exits non-zero with a message on the first failed check; writes PNG screenshots.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');

function check(ok, message) {
  if (!ok) {
    console.error('check failed: ' + message);
    process.exit(1);
  }
}

async function open(context, file, errors) {
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  // The page must work offline: any request but the file itself fails the check.
  page.on('request', (r) => { if (!r.url().startsWith('file://') && !r.url().startsWith('data:')) errors.push('request ' + r.url()); });
  await page.goto('file://' + path.resolve(file));
  return page;
}

async function main() {
  const [pair, series, shots] = process.argv.slice(2);
  fs.mkdirSync(shots, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'heapdiff-html-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const errors = [];
    const page = await open(context, pair, errors);
    await page.screenshot({ path: path.join(shots, 'pair-top.png') });

    // Treemap rectangles: areas proportional to the clusters' retained sizes (within 2%).
    const rects = await page.$$eval('#treemap-clusters rect', (list) => list.map((r) => ({
      area: r.width.baseVal.value * r.height.baseVal.value,
      retained: Number(r.dataset.retained),
      href: r.parentNode.getAttribute('href'),
    })));
    check(rects.length >= 3, 'the cluster treemap has ' + rects.length + ' rectangles');
    const totalArea = rects.reduce((s, r) => s + r.area, 0);
    const totalRetained = rects.reduce((s, r) => s + r.retained, 0);
    for (const r of rects) {
      const want = r.retained / totalRetained;
      const got = r.area / totalArea;
      check(Math.abs(got - want) <= 0.02 * want + 1e-9, `area of ${r.href}: ${got} vs ${want}`);
    }

    // Clicking the largest rectangle shows that cluster's card, with its retainer path.
    const largest = rects.reduce((a, b) => (b.retained > a.retained ? b : a));
    await page.click(`#treemap-clusters a[href="${largest.href}"] rect`);
    await page.waitForFunction((h) => location.hash === h, largest.href);
    const card = page.locator(largest.href);
    check(await card.isVisible(), 'the card ' + largest.href + ' is visible');
    const cardText = await card.innerText();
    check(cardText.includes('validate*'), 'the top card is the validators: ' + cardText.slice(0, 200));
    check(cardText.includes('compileValidator'), 'the card names the function that compiled them');
    check(cardText.includes('.validators → Map [] → Function validate*'), 'the card has the path: ' + cardText);
    check(await card.locator('svg.chain rect').count() >= 3, 'the path is drawn as a chain');
    await page.screenshot({ path: path.join(shots, 'pair-card.png') });

    // Sorting the classes by Retained orders them (descending first, then ascending).
    const header = page.locator('#classes-table th', { hasText: 'Retained' });
    const column = await header.evaluate((th) => Array.prototype.indexOf.call(th.parentNode.children, th));
    const values = () => page.$$eval('#classes-table tbody tr', (rows, i) =>
      rows.map((r) => Number(r.cells[i].dataset.value)), column);
    await header.click();
    let list = await values();
    check(list.length > 5, 'the classes table has rows');
    check(list.every((v, i) => i === 0 || list[i - 1] >= v), 'sorted by retained, descending: ' + list.slice(0, 8));
    await header.press('Enter');
    list = await values();
    check(list.every((v, i) => i === 0 || list[i - 1] <= v), 'Enter sorts ascending: ' + list.slice(0, 8));

    // The filter box hides the rows that do not match.
    await page.fill('input[data-table="classes-table"]', 'Function');
    const visible = await page.$$eval('#classes-table tbody tr', (rows) =>
      rows.filter((r) => !r.hidden).map((r) => r.cells[0].textContent));
    const all = await page.$$eval('#classes-table tbody tr', (rows) => rows.length);
    check(visible.length >= 1 && visible.length < all, `filter shows ${visible.length} of ${all}`);
    check(visible.every((t) => t.toLowerCase().includes('function')), 'filtered rows match: ' + visible);
    await page.screenshot({ path: path.join(shots, 'pair-classes.png') });

    // The series page: no errors, the growing cluster held where it is.
    const seriesPage = await open(context, series, errors);
    const text = await seriesPage.innerText('body');
    check(text.includes('Leaky'), 'the series names the growing cluster');
    check(text.includes('held by 150/150'), 'the series shows where it is held');
    await seriesPage.screenshot({ path: path.join(shots, 'series-top.png') });

    check(errors.length === 0, 'console errors: ' + JSON.stringify(errors));
    console.log('ok: ' + rects.length + ' rectangles, screenshots in ' + shots);
  } finally {
    await context.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
