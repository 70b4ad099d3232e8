import { expect, test } from '@playwright/test';
import { assertNoLeak } from 'heapdiff/playwright';
import { openAndCloseSettings, pageUrl } from './dialog';

test('the clean settings dialog does not leak', async ({ page }) => {
  await page.goto(pageUrl('clean-dialog.html'));
  // The advanced tab is shown once, after the first snapshot: a one-time lazy init.
  const result = await assertNoLeak(page, (i) => openAndCloseSettings(page, i === 8));
  expect(result.leaked).toBe(false);
  expect(result.report.verdict).toMatch(/^No leak found/);
  expect(result.snapshots).toEqual([]);
});
