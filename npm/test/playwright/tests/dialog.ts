import { pathToFileURL } from 'node:url';
import type { Page } from '@playwright/test';

/** The file:// address of a page in ../pages. */
export function pageUrl(name: string): string {
  return pathToFileURL(new URL(`../pages/${name}`, import.meta.url).pathname).href;
}

/** One user action: open the settings dialog and close it again. */
export async function openAndCloseSettings(page: Page, advanced = false): Promise<void> {
  await page.getByRole('button', { name: 'Open settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.waitFor();
  if (advanced) await dialog.getByRole('button', { name: 'Advanced' }).click();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
}
