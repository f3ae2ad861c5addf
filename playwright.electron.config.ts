import { defineConfig } from '@playwright/test';

/**
 * The Electron suite (npm run test:electron): Playwright's `_electron` against the built app
 * (dist/main/main.js, built by `vite build`). Skips with a one-line reason where no Electron binary
 * is installed. Each test starts its own app (own profile, own devstack on free ports).
 */
export default defineConfig({
  testDir: 'test/electron',
  testMatch: '**/*.spec.ts',
  globalSetup: './test/electron/global-setup.ts',
  outputDir: 'test-results/electron',
  // One Electron app and one system browser at a time: sign-in focuses windows.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI
    ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report/electron' }]]
    : 'list',
});
