/**
 * Starting the real Electron app (the built dist/main/main.js) for a test: its own profile
 * (APP_USER_DATA_DIR), no AUTH0_* settings (so it starts its own devstack on free ports), and the
 * OS's browser and file opener replaced in the main process by recorders, so a test reads the URLs
 * and paths the app asked the OS to open instead of opening them.
 */
import path from 'node:path';
import {
  _electron as electron,
  expect,
  test,
  type ElectronApplication,
  type Page,
} from '@playwright/test';
import type { Browser } from 'playwright-core';
import { signInWithBrowser } from '../support/system-browser.ts';
import { PROJECT_ROOT } from './paths.ts';
import { electronForTests, electronRequired, keyringSession, sandboxForTests } from './skip.ts';

/** The Electron binary, or the one-line reason every test skips with. */
export const binary = electronForTests();

/** Whether the app runs with its OS sandbox here (global-setup.ts prints why not). */
export const sandbox = binary.found
  ? sandboxForTests(binary.executablePath)
  : { chromiumSandbox: false };

/**
 * Electron's own switches for every launch. Inside .ci/with-keyring (no desktop session, so Electron
 * would pick `basic_text`), the keyring the run provides, as Electron 45 documents for
 * safeStorage.getSelectedStorageBackend(): `--password-store=gnome-libsecret`.
 */
export const electronSwitches =
  process.platform === 'linux' && keyringSession ? ['--password-store=gnome-libsecret'] : [];

/** The switches a second process must share with Playwright's launch to be the same app. */
export function launchArguments(): string[] {
  const noSandbox =
    process.platform === 'linux' && !sandbox.chromiumSandbox ? ['--no-sandbox'] : [];
  return [...noSandbox, ...electronSwitches, PROJECT_ROOT];
}

/** Settings that would point the app elsewhere than its own devstack, or change how it runs. */
const IGNORED_ENV = new Set([
  'AUTH0_DOMAIN',
  'AUTH0_CLIENT_ID',
  'AUTH0_AUDIENCE',
  'API_SERVER_URL',
  'AUTH0_CALLBACK_PORTS',
  'VITE_DEV_SERVER_URL',
  'ELECTRON_RUN_AS_NODE',
  'NODE_OPTIONS',
]);

interface Recorded {
  __openedUrls?: string[];
  __openedPaths?: string[];
}

export interface DesktopApp {
  app: ElectronApplication;
  /** The app window's page. */
  page: Page;
  env: Record<string, string>;
  /** Every URL the app asked the OS to open in the browser, in order. */
  openedUrls(): Promise<string[]>;
  /** Waits for the URL opened after the first `count` ones. */
  nextOpenedUrl(count: number): Promise<string>;
  /** Every local file or folder the app asked the OS to open (shell.openPath), in order. */
  openedPaths(): Promise<string[]>;
}

export function appEnvironment(profile: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !IGNORED_ENV.has(name)) env[name] = value;
  }
  return { ...env, APP_USER_DATA_DIR: profile, DEVSTACK_IDP_PORT: '0', DEVSTACK_API_PORT: '0' };
}

/**
 * Starts the app on `profile` and waits for its window. Close it with `desktop.app.close()`.
 * `options.env` changes the environment: a value sets a variable, null removes it.
 */
export async function launchDesktop(
  profile: string,
  options: { env?: Record<string, string | null> } = {},
): Promise<DesktopApp> {
  if (!binary.found) throw new Error(binary.reason);
  const env = appEnvironment(profile);
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === null) delete env[name];
    else env[name] = value;
  }
  const app = await electron.launch({
    executablePath: binary.executablePath,
    args: [...electronSwitches, PROJECT_ROOT],
    // The OS sandbox wherever the machine allows it (otherwise Playwright adds --no-sandbox on Linux).
    chromiumSandbox: sandbox.chromiumSandbox,
    // No .env from the working directory: the app must use its own devstack.
    cwd: profile,
    env,
    timeout: 60_000,
  });
  // The system browser and the file manager, as the test sees them: record instead of opening.
  await app.evaluate(({ shell }) => {
    const urls: string[] = [];
    const paths: string[] = [];
    (globalThis as Recorded).__openedUrls = urls;
    (globalThis as Recorded).__openedPaths = paths;
    shell.openExternal = async (url: string) => {
      urls.push(url);
    };
    shell.openPath = async (target: string) => {
      paths.push(target);
      return '';
    };
  });
  const page = await app.firstWindow();
  const openedUrls = () => app.evaluate(() => [...((globalThis as Recorded).__openedUrls ?? [])]);
  return {
    app,
    page,
    env,
    openedUrls,
    openedPaths: () => app.evaluate(() => [...((globalThis as Recorded).__openedPaths ?? [])]),
    async nextOpenedUrl(count) {
      await expect
        .poll(async () => (await openedUrls()).length, { message: 'the app opened the browser' })
        .toBeGreaterThan(count);
      const url = (await openedUrls())[count];
      if (!url) throw new Error('no URL was opened');
      return url;
    },
  };
}

/** Logs in from the nav and completes the sign-in in the system browser. */
export async function logIn(
  desktop: DesktopApp,
  browser: Browser,
  who: { email: string; password: string },
): Promise<void> {
  const before = (await desktop.openedUrls()).length;
  await desktop.page.getByRole('button', { name: 'Log In' }).first().click();
  const authorizationUrl = await desktop.nextOpenedUrl(before);
  const { context } = await signInWithBrowser(browser, authorizationUrl, {
    username: who.email,
    password: who.password,
  });
  await context.close();
  await expect(desktop.page.getByRole('button', { name: 'Log Out' }).first()).toBeVisible();
}

/**
 * The restart journeys prove a session survives a restart, which needs an OS keychain. Without one the
 * app keeps sessions in memory only, by design: the journey skips saying so, except where
 * REQUIRE_ELECTRON=1 (the workflow's test job), where it fails. On Linux inside .ci/with-keyring it
 * also asserts which keychain Electron uses: gnome-keyring through libsecret, keys tagged `v11`.
 */
export async function requireKeychain(desktop: DesktopApp, journey: string): Promise<void> {
  const { persistence } = await desktop.page.evaluate(() =>
    (
      globalThis as unknown as {
        auth: { getSession(): Promise<{ persistence: 'encrypted' | 'memory' }> };
      }
    ).auth.getSession(),
  );
  if (persistence === 'memory') {
    const reason =
      'no OS keychain for safeStorage here (Linux without a Secret Service): sessions are memory-only by design; run the suite under .ci/with-keyring to prove restarts';
    if (electronRequired)
      throw new Error(`REQUIRE_ELECTRON=1 and ${journey} cannot run: ${reason}`);
    console.log(`${journey} skipped: ${reason}`);
    test.skip(true, reason);
  }
  if (process.platform === 'linux' && keyringSession) {
    expect(await keychainInUse(desktop)).toEqual({ backend: 'gnome_libsecret', keyTag: 'v11' });
  }
}

/** Linux: the backend Electron selected and the key family its async encryptor uses. */
export async function keychainInUse(
  desktop: DesktopApp,
): Promise<{ backend: string; keyTag: string }> {
  return desktop.app.evaluate(async ({ safeStorage }) => {
    safeStorage.isEncryptionAvailable(); // makes the selection the getter reads (see electron/platform.ts)
    const probe = await safeStorage.encryptStringAsync('which key');
    return {
      backend: safeStorage.getSelectedStorageBackend(),
      keyTag: probe.subarray(0, 3).toString('latin1'),
    };
  });
}

/**
 * What the app window's renderer process reports about its sandbox: `process.sandboxed` as its
 * preloads see it (read by a probe preload registered on the session for one reload, since the app's
 * own preload keeps `process` to itself), and the OS's view of that process: Linux's seccomp mode
 * (2 = Chromium's seccomp-bpf sandbox), elsewhere `app.getAppMetrics()`'s `sandboxed`.
 */
export async function rendererSandbox(
  desktop: DesktopApp,
): Promise<{ processSandboxed: unknown; seccomp?: string; osSandboxed?: boolean }> {
  const probe = path.join(PROJECT_ROOT, 'test', 'electron', 'sandbox-probe.cjs');
  const facts = await desktop.app.evaluate(
    async ({ app, BrowserWindow, ipcMain, session }, probePath) => {
      const window = BrowserWindow.getAllWindows()[0];
      if (!window) throw new Error('no window');
      const answer = new Promise<unknown>((resolve) =>
        ipcMain.once('test:sandbox-probe', (_event, sandboxed: unknown) => resolve(sandboxed)),
      );
      const id = session.defaultSession.registerPreloadScript({
        type: 'frame',
        filePath: probePath,
      });
      window.webContents.reload();
      const processSandboxed = await answer;
      session.defaultSession.unregisterPreloadScript(id);
      const pid = window.webContents.getOSProcessId();
      if (process.platform === 'linux') {
        const fs = process.getBuiltinModule('node:fs');
        const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
        return { processSandboxed, seccomp: /^Seccomp:\s*(\d+)/m.exec(status)?.[1] };
      }
      const metric = app.getAppMetrics().find((each) => each.pid === pid);
      return { processSandboxed, osSandboxed: metric?.sandboxed };
    },
    probe,
  );
  await expect(desktop.page.getByRole('button', { name: /Log (In|Out)/ }).first()).toBeVisible();
  return facts;
}
