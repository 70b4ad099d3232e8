// Type-checked, not run: heapdiff/playwright's ES module types (lib/playwright.d.mts, which re-exports
// lib/playwright.d.ts), without Playwright installed.
import { assertNoLeak, checkLeak } from 'heapdiff/playwright';
import type { LeakResult } from 'heapdiff/playwright';
import pw from 'heapdiff/playwright';
declare const page: any;
const r: LeakResult = await checkLeak(page, async () => {}, { iterations: 10 });
await assertNoLeak(page, () => {});
await pw.checkLeak(page, () => {});
// @ts-expect-error: options are typed
await checkLeak(page, () => {}, { iterations: 'ten' });
void r;
