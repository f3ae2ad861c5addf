import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutablePath } from './test/support/system-browser.ts';

/**
 * End-to-end (npm run test:e2e): the built renderer in Debian's Chromium through the browser preview
 * host, on the real core, against the real devstack. Build first (`npm run build`).
 * Screenshots of every page land in test-results/screenshots/.
 */
export default defineConfig({
  testDir: 'test/e2e',
  // Marks the run's start for scripts/readme-screenshots.ts (README's pictures from this run only).
  globalSetup: './test/e2e/global-setup.ts',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e',
  // Two cores: one worker keeps the devstack, the preview and two Chromiums from fighting.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: chromiumExecutablePath(), args: [...CHROMIUM_ARGS] },
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
