/**
 * Starting the real Electron app (the built dist/main/main.js) for a test: its own profile
 * (APP_USER_DATA_DIR), no AUTH0_* settings (so it starts its own devstack on free ports), and the
 * OS's browser and file opener replaced in the main process by recorders, so a test reads the URLs
 * and paths the app asked the OS to open instead of opening them.
 */
import {
  _electron as electron,
  expect,
  type ElectronApplication,
  type Page,
} from '@playwright/test';
import type { Browser } from 'playwright-core';
import { signInWithBrowser } from '../support/system-browser.ts';
import { PROJECT_ROOT } from './paths.ts';
import { electronForTests } from './skip.ts';

/** The Electron binary, or the one-line reason every test skips with. */
export const binary = electronForTests();

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
    args: [PROJECT_ROOT],
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
