/**
 * main.ts started with `--smoke-test` on Windows, with `electron` faked after its documented API
 * (test/support/fake-electron.ts) and the real core behind it: the AppUserModelID is set before any
 * window exists; the window loads app://; the page's `window.auth.getSession()` goes through main's
 * real `session:get` handler; exactly one line reaches stdout; the app quits (exit code 0); the
 * user's profile and the OS's scheme handlers are left alone. The check's failures: smokeTest() below.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadBuilderConfig } from '../../scripts/builder-config.ts';
import { smokeTest, SMOKE_TEST_FLAG } from '../../src-main/electron/smoke-test.ts';
import { fakeElectron as fake, MAIN_TEST_ENV } from '../support/fake-electron.ts';

vi.mock('electron', async () => (await import('../support/fake-electron.ts')).electronModule());
vi.mock('../../src-main/electron/session-store.ts', async () =>
  (await import('../support/fake-electron.ts')).sessionStoreModule(),
);
vi.mock('../../src-main/electron/window-state-store.ts', async () =>
  (await import('../support/fake-electron.ts')).windowStateStoreModule(),
);

const ENV = MAIN_TEST_ENV;
const saved: Record<string, string | undefined> = {};
const platform = Object.getOwnPropertyDescriptor(process, 'platform');
const argv = process.argv;
const stdout: string[] = [];
const infoLines: unknown[][] = [];
let appId: unknown;
/** What start-up did, copied before the first test (mock histories are cleared between tests). */
const startup = {
  aumid: [] as unknown[][],
  aumidOrder: [] as number[],
  loadOrder: [] as number[],
  setPath: [] as unknown[][],
  protocolClients: 0,
  exits: 0,
};

beforeAll(async () => {
  ({
    config: { appId },
  } = await loadBuilderConfig(fileURLToPath(new URL('../../', import.meta.url))));
  for (const [name, value] of Object.entries({
    ...ENV,
    APP_USER_DATA_DIR: undefined,
    VITE_DEV_SERVER_URL: undefined,
  })) {
    saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  Object.defineProperty(process, 'platform', { ...platform, value: 'win32' });
  process.argv = [...argv, SMOKE_TEST_FLAG];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  vi.spyOn(console, 'info').mockImplementation((...args: unknown[]) => void infoLines.push(args));
  await import('../../src-main/electron/main.ts');
  await vi.waitFor(() => expect(fake.module.app.quit).toHaveBeenCalled(), { timeout: 10_000 });
  const { app } = fake.module;
  Object.assign(startup, {
    aumid: [...app.setAppUserModelId.mock.calls],
    aumidOrder: [...app.setAppUserModelId.mock.invocationCallOrder],
    loadOrder: [...(fake.FakeBrowserWindow.windows[0]?.loadURL.mock.invocationCallOrder ?? [])],
    setPath: [...app.setPath.mock.calls],
    protocolClients: app.setAsDefaultProtocolClient.mock.calls.length,
    exits: app.exit.mock.calls.length,
  });
});

afterAll(() => {
  vi.restoreAllMocks();
  if (platform) Object.defineProperty(process, 'platform', platform);
  process.argv = argv;
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('main.ts --smoke-test (on Windows)', () => {
  it('sets the AppUserModelID to electron-builder’s appId before the window exists', () => {
    expect(startup.aumid).toEqual([[appId]]);
    expect(startup.loadOrder).toHaveLength(1);
    expect(startup.aumidOrder[0]).toBeLessThan(startup.loadOrder[0] ?? 0);
  });

  it('loads the window from app://, asks the bridge for the session, prints one line and quits with 0', () => {
    expect(fake.FakeBrowserWindow.windows[0]?.loaded).toEqual(['app://renderer/index.html']);
    expect(stdout).toHaveLength(1);
    expect(stdout[0]).toMatch(
      /^smoke test passed: app:\/\/renderer\/index\.html loaded and window\.auth\.getSession\(\) answered "(restoring|signed-out)" in \d+ ms\n$/,
    );
    // The app's own log lines stayed off stdout.
    expect(infoLines.filter((args) => String(args[0]).startsWith('[electron]'))).toEqual([]);
    expect(startup.exits).toBe(0);
  });

  it('runs in a fresh temporary profile and leaves the OS’s scheme handlers alone', () => {
    const [[name, profile] = []] = startup.setPath;
    expect(name).toBe('userData');
    expect(String(profile).startsWith(path.join(os.tmpdir(), 'smoke-test-'))).toBe(true);
    expect(startup.protocolClients).toBe(0);
  });
});

/** A webContents as smokeTest() uses it. */
function contents(options: { url?: string; answer?: Promise<unknown>; loading?: boolean }) {
  const events = new EventEmitter();
  return Object.assign(events, {
    isLoading: () => options.loading ?? false,
    getURL: () => options.url ?? 'app://renderer/index.html',
    executeJavaScript: vi.fn(() => options.answer ?? Promise.resolve('signed-out')),
  });
}

describe('smokeTest: what fails it', () => {
  const check = (c: ReturnType<typeof contents>, timeoutMs = 1000) =>
    smokeTest(c as never, { appOrigin: 'app://renderer', timeoutMs });

  it('passes on the app’s page with a session status, after the page finished loading', async () => {
    const page = contents({ loading: true });
    const result = check(page);
    page.emit('did-finish-load');
    await expect(result).resolves.toMatch(/answered "signed-out"/);
  });

  it('fails on a page that could not load, or that is not the app', async () => {
    const page = contents({ loading: true });
    const result = check(page);
    page.emit('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND', 'app://renderer/index.html');
    await expect(result).rejects.toThrow(
      /could not load app:\/\/renderer\/index\.html: ERR_FILE_NOT_FOUND/,
    );
    await expect(check(contents({ url: 'http://localhost:5173/' }))).rejects.toThrow(
      /not the app at app:\/\/renderer/,
    );
  });

  it('fails when the bridge does not answer a session, or not in time', async () => {
    await expect(check(contents({ answer: Promise.resolve(undefined) }))).rejects.toThrow(
      /getSession\(\) answered undefined/,
    );
    await expect(
      check(contents({ answer: Promise.reject(new Error('window.auth is not defined')) })),
    ).rejects.toThrow(/window\.auth is not defined/);
    await expect(check(contents({ answer: new Promise(() => {}) }), 50)).rejects.toThrow(
      /no answer within 0\.05 s/,
    );
  });
});
