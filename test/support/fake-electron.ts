/**
 * `electron` for unit tests of main.ts (test/unit/electron-main*.test.ts), faked after its documented
 * API: app (paths, events, single-instance lock, protocol client), BrowserWindow and its webContents,
 * Menu, ipcMain, safeStorage (async API, Linux selection), screen, session (permissions, fetch,
 * resolveProxy, setProxy, fromPartition), shell. One instance per
 * test file (vitest isolates modules per file); use it from `vi.mock('electron', …)`:
 *
 *   vi.mock('electron', async () => (await import('../support/fake-electron.ts')).electronModule());
 *   vi.mock('../../src-main/electron/session-store.ts', async () =>
 *     (await import('../support/fake-electron.ts')).sessionStoreModule());
 *   vi.mock('../../src-main/electron/window-state-store.ts', async () =>
 *     (await import('../support/fake-electron.ts')).windowStateStoreModule());
 *
 * (electron-store loads the real `electron` itself, so its two files are replaced by memory.) With
 * MAIN_TEST_ENV in the environment the core is configured for a tenant, so no devstack starts.
 *
 * A window's webContents runs `window.auth.getSession()` (what --smoke-test asks the page) through the
 * handler main.ts registered for `session:get`, with the window's URL as the sender frame: the same
 * path a call from the preload takes.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { vi } from 'vitest';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

class FakeWebContents extends EventEmitter {
  send = vi.fn();
  reload = vi.fn();
  private readonly window: { destroyed: boolean; loaded: string[] };
  constructor(window: { destroyed: boolean; loaded: string[] }) {
    super();
    this.window = window;
  }
  isDestroyed = () => this.window.destroyed;
  isLoading = () => false;
  getURL = () => this.window.loaded.at(-1) ?? '';
  executeJavaScript = vi.fn(async (code: string) => {
    if (!code.includes('window.auth.getSession()')) throw new Error(`unexpected script: ${code}`);
    const handler = ipcHandlers.get('session:get');
    if (!handler) throw new Error('window.auth is not defined');
    const session = (await handler({ senderFrame: { url: this.getURL(), parent: null } })) as {
      status: string;
    };
    return session.status;
  });
}

/** What main.ts registered with ipcMain.handle, by channel. */
const ipcHandlers = new Map<string, Handler>();

const root = mkdtempSync(path.join(os.tmpdir(), 'electron-main-'));
const paths: Record<string, string> = {
  userData: path.join(root, 'profile'),
  logs: path.join(root, 'logs'),
  appPath: path.join(root, 'project'),
};
const workArea = { x: 0, y: 0, width: 1920, height: 1040 };
const display = { workArea, bounds: workArea };

class FakeBrowserWindow extends EventEmitter {
  static windows: FakeBrowserWindow[] = [];
  static getAllWindows = () => FakeBrowserWindow.windows.filter((each) => !each.destroyed);
  options: Record<string, unknown>;
  loaded: string[] = [];
  destroyed = false;
  bounds: { x: number; y: number; width: number; height: number };
  webContents = new FakeWebContents(this);
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    this.bounds = {
      x: (options.x as number) ?? 410,
      y: (options.y as number) ?? 140,
      width: options.width as number,
      height: options.height as number,
    };
    FakeBrowserWindow.windows.push(this);
  }
  loadURL = vi.fn(async (url: string) => {
    this.loaded.push(url);
  });
  show = vi.fn();
  focus = vi.fn();
  maximize = vi.fn();
  restore = vi.fn();
  isMinimized = () => false;
  isMaximized = () => false;
  isDestroyed = () => this.destroyed;
  getNormalBounds = () => ({ ...this.bounds });
}

const appEvents = new EventEmitter();
const app = {
  isPackaged: false,
  // package.json's productName, as Electron reads it (the packaged package.json carries it).
  name: 'Electron Auth0 Hello World',
  setPath: vi.fn((name: string, value: string) => (paths[name] = value)),
  getPath: vi.fn((name: string) => {
    const value = paths[name];
    if (!value) throw new Error(`Failed to get '${name}' path`);
    return value;
  }),
  getAppPath: () => paths.appPath,
  getVersion: () => '0.1.0',
  setAboutPanelOptions: vi.fn(),
  requestSingleInstanceLock: () => true,
  enableSandbox: vi.fn(),
  whenReady: () => Promise.resolve(),
  on: (event: string, listener: (...args: unknown[]) => void) => appEvents.on(event, listener),
  focus: vi.fn(),
  setAsDefaultProtocolClient: vi.fn(() => true),
  removeAsDefaultProtocolClient: vi.fn(() => true),
  getApplicationNameForProtocol: vi.fn(() => ''),
  setAppUserModelId: vi.fn(),
  quit: vi.fn(),
  exit: vi.fn(),
};
/**
 * A session as electron.d.ts has it: permission handlers, and the network: `fetch` (what `net.fetch`
 * is for the default session) answers like a server that is there; `resolveProxy` like Chromium with
 * no proxy set (a PAC-format string, "DIRECT"). Tests replace either with mockImplementationOnce.
 */
function fakeSession() {
  return {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
    fetch: vi.fn(
      async (_input: string | Request, _init?: RequestInit) =>
        new Response(JSON.stringify({ text: 'This is a public message.' }), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
    ),
    resolveProxy: vi.fn(async (_url: string) => 'DIRECT'),
    setProxy: vi.fn(async (_config: unknown) => {}),
    closeAllConnections: vi.fn(async () => {}),
  };
}
/** `session.fromPartition('network-check')`: Check connection's own session. */
const checkSession = fakeSession();
const menus = { built: [] as MenuItemConstructorOptions[][], application: undefined as unknown };
const module = {
  app,
  BrowserWindow: FakeBrowserWindow,
  Menu: {
    buildFromTemplate: (template: MenuItemConstructorOptions[]) => {
      menus.built.push(template);
      return { template };
    },
    setApplicationMenu: (menu: unknown) => (menus.application = menu),
  },
  clipboard: { writeText: vi.fn() },
  dialog: {
    showErrorBox: vi.fn(),
    // The person's answer to a confirmation: Cancel (1) unless a test says otherwise.
    showMessageBox: vi.fn(async (..._args: unknown[]) => ({
      response: 1,
      checkboxChecked: false,
    })),
  },
  ipcMain: {
    handle: vi.fn((channel: string, handler: Handler) => ipcHandlers.set(channel, handler)),
    removeHandler: vi.fn(),
  },
  protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
  safeStorage: {
    isAsyncEncryptionAvailable: async () => true,
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptStringAsync: async (text: string) => Buffer.from(text),
    decryptStringAsync: async (data: Buffer) => ({
      result: data.toString(),
      shouldReEncrypt: false,
    }),
  },
  screen: { getAllDisplays: () => [display], getPrimaryDisplay: () => display },
  session: {
    defaultSession: fakeSession(),
    fromPartition: vi.fn((_partition: string) => checkSession),
  },
  shell: { openExternal: vi.fn(async () => {}), openPath: vi.fn(async () => '') },
};
let savedWindowState: unknown = {
  window: { bounds: { x: 120, y: 80, width: 1000, height: 700 }, maximized: false },
};
const windowState = {
  load: () => (savedWindowState as { window: unknown }).window,
  save: vi.fn((state: unknown) => (savedWindowState = { window: state })),
};

// The profile's electron-store files (session.json, settings.json), in memory: one map, as the keys
// never collide. A scheme registered by an earlier start, and the provider saved in Settings.
const storeValues = new Map<string, unknown>([['appLinkScheme', 'com.example.old-app-link']]);

export const fakeElectron = {
  root,
  paths,
  module,
  menus,
  windowState,
  FakeBrowserWindow,
  appEvents,
  storeValues,
};

/** The module object for `vi.mock('electron', …)`. */
export function electronModule() {
  return { ...module, default: module };
}

/** session-store.ts, in memory. */
export function sessionStoreModule() {
  const values = storeValues;
  return {
    openSessionStore: () => ({
      get: (key: string) => values.get(key),
      set: (key: string, value: unknown) => values.set(key, value),
      delete: (key: string) => values.delete(key),
    }),
  };
}

/** window-state-store.ts, as fakeElectron.windowState. */
export function windowStateStoreModule() {
  return { openWindowStateStore: () => windowState };
}

/** A configured tenant (nothing is contacted at start-up), so main.ts starts no devstack. */
export const MAIN_TEST_ENV = {
  AUTH0_DOMAIN: 'https://tenant.example.com',
  AUTH0_CLIENT_ID: 'native-client',
  AUTH0_AUDIENCE: 'https://api.example.com',
  API_SERVER_URL: 'https://api.example.com',
};
