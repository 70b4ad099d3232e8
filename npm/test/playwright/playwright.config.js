// Debian's Chromium, headless; the pages are local files (no server, no network).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './tests',
  // A leak test repeats its action 35 times and takes 4 heap snapshots.
  timeout: 120_000,
  retries: 0,
  workers: 1,
  forbidOnly: true,
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
