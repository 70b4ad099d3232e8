import { expect, test } from '@playwright/test';
import { checkLeak } from 'heapdiff/playwright';
import { openAndCloseSettings, pageUrl } from './dialog';

// One leak is one finding: every closed dialog (40 option objects, its detached DOM tree and
// its buttons' listeners) is charged to the window's resize listeners that keep it, not split
// into one finding per detached button.
test('the leaky dialog is one finding that holds every option of every dialog', async ({ page }) => {
  await page.goto(pageUrl('leaky-dialog.html'));
  const result = await checkLeak(page, () => openAndCloseSettings(page), { keep: 'never' });
  expect(result.leaked).toBe(true);
  const findings = result.report.findings;
  expect(findings.filter((f) => f.growing)).toHaveLength(1);
  expect(findings.filter((f) => f.holder.class.startsWith('Detached '))).toEqual([]);
  const options = findings[0].parts.find((p) => p.label === '{id, label, enabled}');
  // 30 dialogs opened after the first snapshot, 40 options each.
  expect(options?.count).toBe(30 * 40);
});

// A listener list grows at every step though its backing store moves when it grows: the
// finding is the window's event listeners, growing, made by the listener's function.
test('a window listener that is never removed is a growing finding', async ({ page }) => {
  await page.goto(pageUrl('listener-leak.html'));
  const result = await checkLeak(page, () => openAndCloseSettings(page), { keep: 'never' });
  expect(result.leaked).toBe(true);
  const first = result.report.findings[0];
  expect(first.growing).toBe(true);
  expect(first.site?.label).toMatch(/^Function onResize @ .*listener-leak\.js:14:/);
});
