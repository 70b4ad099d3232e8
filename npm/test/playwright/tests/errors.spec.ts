import { expect, test } from '@playwright/test';
import { assertNoLeak, checkLeak } from 'heapdiff/playwright';

// Pages of other browsers, as far as the helper looks at them: no browser is started here.
function pageOf(browser: string | null, newCDPSession: () => Promise<unknown>) {
  return {
    context: () => ({
      browser: () => (browser === null ? null : { browserType: () => ({ name: () => browser }) }),
      newCDPSession,
    }),
    evaluate: async () => undefined,
    waitForTimeout: async () => undefined,
  };
}

test('a Firefox page is refused with a message that asks for Chromium', async () => {
  let sessions = 0;
  const firefox = pageOf('firefox', async () => {
    sessions += 1;
    return {};
  });
  await expect(assertNoLeak(firefox, () => undefined)).rejects.toThrow(
    /heapdiff\/playwright needs a Chromium page.*the page runs in firefox/,
  );
  expect(sessions).toBe(0);
});

test("Playwright's own CDP refusal is explained the same way", async () => {
  const webkit = pageOf(null, async () => {
    throw new Error('CDP session is only available in Chromium');
  });
  await expect(checkLeak(webkit, () => undefined)).rejects.toThrow(
    /needs a Chromium page.*\(CDP session is only available in Chromium\)/,
  );
});

test('a closed Chromium page is not taken for another browser', async () => {
  const closed = pageOf('chromium', async () => {
    throw new Error('Target page, context or browser has been closed');
  });
  const error = await checkLeak(closed, () => undefined).catch((e: Error) => e);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toBe(
    'heapdiff/playwright: no DevTools Protocol session to the page: ' +
      'Target page, context or browser has been closed',
  );
});

test('the action must be a function and the options valid', async () => {
  const page = pageOf('chromium', async () => {
    throw new Error('no session may be opened');
  });
  // @ts-expect-error: the action is missing
  await expect(checkLeak(page)).rejects.toThrow(/second argument must be the action/);
  await expect(checkLeak(page, () => undefined, { snapshots: 2 })).rejects.toThrow(
    /snapshots must be an integer ≥ 3/,
  );
  // @ts-expect-error: not a page
  await expect(checkLeak('page', () => undefined)).rejects.toThrow(/must be a Playwright Page/);
});
