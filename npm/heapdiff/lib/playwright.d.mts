import type { LeakOptions, LeakResult } from './index.js';

export type { LeakOptions, LeakResult, LeakAssertionError, Finding, SeriesReport } from './index.js';

/**
 * A Playwright Page of Chromium (`import type { Page } from '@playwright/test'`). Only what the
 * helper uses is spelled out, so that heapdiff does not need Playwright's types.
 */
export interface ChromiumPage {
  context(): { newCDPSession(page: any): Promise<unknown> };
  evaluate(pageFunction: any, arg?: any): Promise<unknown>;
  waitForTimeout(timeout: number): Promise<void>;
}

/**
 * Repeats `action(i)` on `page` (Chromium only: snapshots go over the DevTools Protocol),
 * snapshots the page's heap at equal steps and reports whether anything grew at every step.
 */
export function checkLeak(
  page: ChromiumPage,
  action: (iteration: number) => unknown | Promise<unknown>,
  options?: LeakOptions,
): Promise<LeakResult>;

/** Like `checkLeak`, but rejects with a `LeakAssertionError` naming the leak when one is found. */
export function assertNoLeak(
  page: ChromiumPage,
  action: (iteration: number) => unknown | Promise<unknown>,
  options?: LeakOptions,
): Promise<LeakResult>;
