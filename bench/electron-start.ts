/**
 * How long the app takes to start, as a person sees it: launch → first window shown → the renderer
 * painted its navigation (signed out: "Log In"; restored: "Log Out"). Median of 5 (BENCH_QUICK=1:
 * 2, no warm-up), each launch on a fresh profile with its own devstack on free ports (what a first
 * start does), next to the same figure for the preview in Debian's Chromium (the preview host with
 * its own devstack, then Chromium, a page, the printed link).
 *
 * Electron's binary is asked for first (scripts/electron-binary.ts, Electron's own installer);
 * where it cannot be had (this machine: no download), the benchmark says why and skips, exit code 0.
 * Needs the built app (npm run build). Ends with one JSON line on stdout.
 *
 * Run: npm run bench:electron-start
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { _electron as electron } from '@playwright/test';
import type { Browser, Page } from 'playwright-core';
import { ensureElectronBinary } from '../scripts/electron-binary.ts';
import { startPreview } from '../src-main/preview/server.ts';
import { appEnvironment, electronSwitches, sandbox } from '../test/electron/desktop-app.ts';
import { launchSystemBrowser } from '../test/support/system-browser.ts';
import { median, printResult, printTable, QUICK, runBench, samples, skipBench } from './support.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
const NAME = 'electron-start';
const SAMPLES = samples(5, 2);
const WARM_UPS = samples(1, 0);
const TIMEOUT_MS = 60_000;
/** The navigation's first button, signed out or restored. */
const NAV_BUTTON = /^Log (In|Out)$/;

interface Sample {
  /** Launch → the first window is shown (ms). */
  window: number;
  /** Launch → the navigation is painted (ms). */
  nav: number;
}

/** Resolves once the navigation's first button (signed out or restored) is visible. */
function navPainted(page: Page): Promise<void> {
  return page
    .getByRole('button', { name: NAV_BUTTON })
    .first()
    .waitFor({ state: 'visible', timeout: TIMEOUT_MS });
}

export async function electronStart(executablePath: string): Promise<Sample> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'bench-electron-start-'));
  const t0 = performance.now();
  const app = await electron.launch({
    executablePath,
    args: [...electronSwitches, PROJECT_ROOT],
    chromiumSandbox: sandbox.chromiumSandbox,
    cwd: profile,
    env: appEnvironment(profile),
    timeout: TIMEOUT_MS,
  });
  try {
    const page = await app.firstWindow({ timeout: TIMEOUT_MS });
    // Shown: the window waits for ready-to-show (app-window.ts).
    const deadline = Date.now() + TIMEOUT_MS;
    while (
      !(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible()))
    ) {
      if (Date.now() > deadline) throw new Error('the window was never shown');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const window = performance.now() - t0;
    await navPainted(page);
    return { window, nav: performance.now() - t0 };
  } finally {
    await app.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

export async function previewStart(): Promise<Sample> {
  const t0 = performance.now();
  const preview = await startPreview({
    env: { DEVSTACK_IDP_PORT: '0', DEVSTACK_API_PORT: '0' },
    externalBrowser: 'capture',
  });
  let browser: Browser | undefined;
  try {
    browser = await launchSystemBrowser();
    const page = await browser.newPage();
    const window = performance.now() - t0;
    await page.goto(preview.link, { waitUntil: 'commit' });
    await navPainted(page);
    return { window, nav: performance.now() - t0 };
  } finally {
    await browser?.close();
    await preview.close();
    rmSync(preview.dataDir, { recursive: true, force: true });
  }
}

async function measure(run: () => Promise<Sample>): Promise<Sample[]> {
  for (let i = 0; i < WARM_UPS; i++) await run();
  const samples: Sample[] = [];
  for (let i = 0; i < SAMPLES; i++) samples.push(await run());
  return samples;
}

const msText = (value: number) => `${value.toFixed(0)} ms`;

async function main(): Promise<void> {
  const binary = await ensureElectronBinary({ projectRoot: PROJECT_ROOT });
  if (!binary.found) {
    skipBench(NAME, binary.reason);
    return;
  }
  if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'main', 'main.js')))
    throw new Error('the app is not built (dist/main/main.js missing): run "npm run build" first');
  if ('line' in sandbox && sandbox.line) console.log(sandbox.line);

  const app = await measure(() => electronStart(binary.executablePath));
  const browser = await measure(previewStart);
  const figure = (samples: Sample[], key: keyof Sample) =>
    Math.round(median(samples.map((sample) => sample[key])));
  printTable(
    [`start, median of ${SAMPLES}${QUICK ? ' (quick)' : ''}`, 'window shown', 'nav painted'],
    [
      ['Electron app', msText(figure(app, 'window')), msText(figure(app, 'nav'))],
      ['preview in Chromium', msText(figure(browser, 'window')), msText(figure(browser, 'nav'))],
    ],
  );
  printResult({
    bench: NAME,
    samples: SAMPLES,
    electron: { windowMs: figure(app, 'window'), navMs: figure(app, 'nav') },
    preview: { windowMs: figure(browser, 'window'), navMs: figure(browser, 'nav') },
  });
}

// Every launch closes what it started (its finally blocks): nothing is left to clean up here.
if (import.meta.filename === process.argv[1]) await runBench(`bench:${NAME}`, main, async () => {});
