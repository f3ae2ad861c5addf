/**
 * The Electron shell's wiring with fakes that follow Electron's documented behaviour: the IPC handler
 * table and its sender check, the per-webContents policy, permissions, the safeStorage cipher,
 * openExternal, and the window. No `electron` module is loaded (the shell's modules import only its
 * types).
 */
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserWindowConstructorOptions, SafeStorage, WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import type { SessionView } from '../../src-preload/contract.ts';
import { requestValidators } from '../../src-preload/contract-validators.ts';
import { appScheme } from '../../src-main/electron/app-protocol.ts';
import {
  applyWebContentsPolicy,
  denyAllPermissions,
  hardenBeforeReady,
  type PermissionHandlers,
} from '../../src-main/electron/hardening.ts';
import {
  refusedSender,
  registerBridgeHandlers,
  sendOpenSettings,
  sendSessionChanged,
} from '../../src-main/electron/ipc.ts';
import { APP_ORIGIN, isTrustedSender } from '../../src-main/electron/policy.ts';
import {
  createOpenExternal,
  createSafeStorageCipher,
  keychainVerdict,
  type KeychainFacts,
  type KeychainVerdict,
} from '../../src-main/electron/platform.ts';
import {
  bringToFront,
  createAppWindow,
  showWhenReady,
  WINDOW_SIZE,
  type AppWindowOptions,
} from '../../src-main/electron/window.ts';
import { fakeIpcMain } from '../support/fake-ipc-main.ts';

const appFrame = { url: 'app://renderer/index.html', parent: null };
const signedOut: SessionView = { status: 'signed-out', persistence: 'encrypted' };

describe('registerBridgeHandlers', () => {
  it('registers exactly one handler per channel of the contract, and removes them all', () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const unregister = registerBridgeHandlers(
      ipcMain,
      { handle: async () => signedOut },
      () => true,
    );
    expect([...handlers.keys()].sort()).toEqual(Object.keys(requestValidators).sort());
    unregister();
    expect(handlers.size).toBe(0);
  });

  it('passes the channel and the renderer’s arguments to the core', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const handle = vi.fn(async () => ({ ok: true as const, data: { text: 'hi' } }));
    registerBridgeHandlers(ipcMain, { handle }, (frame) =>
      isTrustedSender(frame as never, APP_ORIGIN),
    );
    const answer = await handlers.get('messages:get')?.({ senderFrame: appFrame }, 'admin');
    expect(handle).toHaveBeenCalledWith('messages:get', ['admin']);
    expect(answer).toEqual({ ok: true, data: { text: 'hi' } });
  });

  it('answers invalid_request, without asking the core, when the frame is gone or foreign', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const handle = vi.fn(async () => signedOut);
    registerBridgeHandlers(ipcMain, { handle }, (frame) =>
      isTrustedSender(frame as never, APP_ORIGIN),
    );
    for (const senderFrame of [
      null,
      { url: 'https://evil.example/', parent: null },
      { url: 'app://renderer/', parent: {} },
    ]) {
      expect(await handlers.get('auth:login')?.({ senderFrame })).toEqual(refusedSender);
    }
    expect(refusedSender.error.code).toBe('invalid_request');
    expect(handle).not.toHaveBeenCalled();
  });
});

describe('sendSessionChanged', () => {
  it('sends the view on session:changed, and skips a destroyed window', () => {
    const send = vi.fn();
    sendSessionChanged({ isDestroyed: () => false, send }, signedOut);
    expect(send).toHaveBeenCalledWith('session:changed', signedOut);
    const gone = vi.fn();
    sendSessionChanged({ isDestroyed: () => true, send: gone }, signedOut);
    sendSessionChanged(undefined, signedOut);
    expect(gone).not.toHaveBeenCalled();
  });
});

describe('sendOpenSettings', () => {
  it('sends app:open-settings with no payload, and skips a destroyed window', () => {
    const send = vi.fn();
    sendOpenSettings({ isDestroyed: () => false, send });
    expect(send.mock.calls).toEqual([['app:open-settings', null]]);
    const gone = vi.fn();
    sendOpenSettings({ isDestroyed: () => true, send: gone });
    sendOpenSettings(undefined);
    expect(gone).not.toHaveBeenCalled();
  });
});

/** A webContents that emits will-navigate / will-redirect events the way Electron does. */
class FakeContents extends EventEmitter {
  openHandler?: (details: { url: string }) => { action: string };
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.openHandler = handler;
  }
  attempt(
    kind: 'will-navigate' | 'will-frame-navigate' | 'will-redirect' | 'will-attach-webview',
    url: string,
  ): boolean {
    let prevented = false;
    this.emit(kind, { url, preventDefault: () => (prevented = true) });
    return prevented;
  }
}

describe('applyWebContentsPolicy', () => {
  function setUp() {
    const contents = new FakeContents();
    const openInBrowser = vi.fn(async () => {});
    applyWebContentsPolicy(contents as unknown as WebContents, {
      appOrigin: APP_ORIGIN,
      openInBrowser,
    });
    return { contents, openInBrowser };
  }

  it('never opens a new Electron window; https links go to the system browser', () => {
    const { contents, openInBrowser } = setUp();
    expect(contents.openHandler?.({ url: 'https://auth0.com/docs' })).toEqual({ action: 'deny' });
    expect(openInBrowser).toHaveBeenCalledWith('https://auth0.com/docs');
    for (const url of [
      'http://example.com/',
      'file:///etc/passwd',
      'app://renderer/index.html',
      'javascript:alert(1)',
    ]) {
      expect(contents.openHandler?.({ url }), url).toEqual({ action: 'deny' });
    }
    expect(openInBrowser).toHaveBeenCalledTimes(1);
  });

  it('prevents navigations and redirects away from the app, and allows in-app ones', () => {
    const { contents } = setUp();
    expect(contents.attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.attempt('will-navigate', 'app://renderer/index.html#/admin')).toBe(false);
  });

  it('prevents any frame, subframes included, from navigating away from the app', () => {
    const { contents } = setUp();
    for (const url of [
      'https://evil.example/',
      'javascript:alert(1)',
      'data:text/html,<h1>hi</h1>',
      'file:///etc/passwd',
    ]) {
      expect(contents.attempt('will-frame-navigate', url), url).toBe(true);
    }
    expect(contents.attempt('will-frame-navigate', 'app://renderer/index.html#/profile')).toBe(
      false,
    );
  });

  it('refuses to attach a <webview>', () => {
    const { contents } = setUp();
    expect(contents.attempt('will-attach-webview', 'https://example.com/')).toBe(true);
  });
});

describe('denyAllPermissions', () => {
  function setUp() {
    let request:
      | ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void)
      | undefined;
    let check: ((...args: unknown[]) => boolean) | undefined;
    let device: ((details: unknown) => boolean) | undefined;
    const session = {
      setPermissionRequestHandler: (handler: typeof request) => (request = handler),
      setPermissionCheckHandler: (handler: typeof check) => (check = handler),
      setDevicePermissionHandler: (handler: typeof device) => (device = handler),
    };
    denyAllPermissions(session as unknown as PermissionHandlers);
    return { request, check, device };
  }

  it('answers every permission request and check with no', () => {
    const { request, check } = setUp();
    // Permission names from Electron 45's setPermissionRequestHandler / setPermissionCheckHandler.
    for (const permission of [
      'media',
      'display-capture',
      'geolocation',
      'notifications',
      'clipboard-read',
      'clipboard-sanitized-write',
      'fullscreen',
      'openExternal',
      'hid',
      'serial',
      'usb',
      'storage-access',
      'unknown',
    ]) {
      const callback = vi.fn();
      request?.({}, permission, callback);
      expect(callback, permission).toHaveBeenCalledWith(false);
      expect(check?.({}, permission, 'app://renderer', {}), permission).toBe(false);
    }
  });

  it('grants no HID, serial or USB device, even one the user picked before', () => {
    const { device } = setUp();
    for (const deviceType of ['hid', 'serial', 'usb']) {
      expect(device?.({ deviceType, origin: 'app://renderer', device: {} }), deviceType).toBe(
        false,
      );
    }
  });
});

describe('hardenBeforeReady', () => {
  it('turns on the OS sandbox for every renderer and registers app:// (standard, secure, CSP not bypassed)', () => {
    const app = { enableSandbox: vi.fn() };
    const protocol = { registerSchemesAsPrivileged: vi.fn() };
    hardenBeforeReady(app, protocol);
    expect(app.enableSandbox).toHaveBeenCalledTimes(1);
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([appScheme]);
    expect(appScheme.privileges).not.toHaveProperty('bypassCSP');
  });
});

type Backend = ReturnType<SafeStorage['getSelectedStorageBackend']>;

/**
 * safeStorage as Electron 45 behaves (electron_api_safe_storage.cc and Chromium's os_crypt_async):
 * the async API seals with a version-tagged ciphertext (`v11`: a key from the secret store, `v10`:
 * the key built into Chromium, also macOS's and DPAPI's tag) and resolves "available" once its
 * encryptor is ready; `getSelectedStorageBackend()` answers '' until the synchronous API has
 * initialised the Linux selection (`isEncryptionAvailable()`).
 */
function fakeSafeStorage(
  options: {
    available?: boolean;
    /** The Linux selection the sync API makes (from --password-store or the desktop). */
    backend?: Backend;
    /** Whether the secret store gives the async encryptor a key (default: a keyring backend). */
    secretStoreAnswers?: boolean;
  } = {},
) {
  const backend = options.backend ?? 'gnome_libsecret';
  const secretStore =
    options.secretStoreAnswers ?? !['basic_text', 'unknown'].includes(backend as string);
  const tag = secretStore ? 'v11' : 'v10';
  let selected = '';
  return {
    isAsyncEncryptionAvailable: vi.fn(async () => options.available ?? true),
    isEncryptionAvailable: vi.fn(() => {
      selected = backend;
      return secretStore;
    }),
    getSelectedStorageBackend: vi.fn(() => selected as Backend),
    encryptStringAsync: vi.fn(async (text: string) => Buffer.from(`${tag}sealed:${text}`, 'utf8')),
    decryptStringAsync: vi.fn(async (data: Buffer) => {
      const text = data.toString('utf8');
      if (!text.startsWith(`${tag}sealed:`))
        throw new Error(
          'Error while decrypting the ciphertext provided to safeStorage.decryptStringAsync.',
        );
      return { result: text.slice(`${tag}sealed:`.length), shouldReEncrypt: false };
    }),
  };
}

describe('keychainVerdict: is a session kept across restarts?', () => {
  const table: { facts: KeychainFacts; kept: boolean; reason: RegExp }[] = [
    {
      facts: {
        platform: 'linux',
        available: true,
        backend: 'gnome_libsecret',
        ciphertextTag: 'v11',
      },
      kept: true,
      reason: /^gnome_libsecret$/,
    },
    ...(['kwallet', 'kwallet5', 'kwallet6'] as const).map((backend) => ({
      facts: { platform: 'linux' as const, available: true, backend, ciphertextTag: 'v11' },
      kept: true,
      reason: new RegExp(`^${backend}$`),
    })),
    {
      facts: { platform: 'linux', available: true, backend: 'basic_text', ciphertextTag: 'v10' },
      kept: false,
      reason: /basic_text: a key built into Chromium/,
    },
    {
      facts: { platform: 'linux', available: true, backend: 'unknown', ciphertextTag: 'v11' },
      kept: false,
      reason: /could not be determined \(backend unknown\)/,
    },
    {
      // What Electron 45 answers when only the async API ran: the selection was never made.
      facts: { platform: 'linux', available: true, backend: '', ciphertextTag: 'v11' },
      kept: false,
      reason: /backend unknown/,
    },
    {
      // The desktop names a keyring, but it gave no key: the ciphertext is the built-in key's.
      facts: {
        platform: 'linux',
        available: true,
        backend: 'gnome_libsecret',
        ciphertextTag: 'v10',
      },
      kept: false,
      reason: /gnome_libsecret gave no key/,
    },
    { facts: { platform: 'darwin', available: true }, kept: true, reason: /macOS Keychain/ },
    { facts: { platform: 'win32', available: true }, kept: true, reason: /Windows DPAPI/ },
    ...(['linux', 'darwin', 'win32'] as const).map((platform) => ({
      facts: { platform, available: false, backend: 'gnome_libsecret', ciphertextTag: 'v11' },
      kept: false,
      reason: /not available/,
    })),
  ];
  it.each(table)(
    '$facts.platform $facts.backend $facts.ciphertextTag (available: $facts.available) → kept: $kept',
    ({ facts, kept, reason }) => {
      const verdict = keychainVerdict(facts);
      expect(verdict.kept).toBe(kept);
      expect(verdict.reason).toMatch(reason);
    },
  );
});

describe('createSafeStorageCipher', () => {
  it('round-trips through base64 text for the store', async () => {
    const cipher = createSafeStorageCipher(fakeSafeStorage(), 'darwin');
    const sealed = await cipher.encrypt('{"refreshToken":"r1"}');
    expect(sealed).toBe(Buffer.from('v11sealed:{"refreshToken":"r1"}').toString('base64'));
    expect(await cipher.decrypt(sealed)).toBe('{"refreshToken":"r1"}');
  });

  it('rejects data it cannot decrypt (tampered, or another key)', async () => {
    const cipher = createSafeStorageCipher(fakeSafeStorage(), 'win32');
    await expect(cipher.decrypt(Buffer.from('garbage').toString('base64'))).rejects.toThrow();
  });

  it('is available on macOS and Windows when safeStorage says so', async () => {
    expect(await createSafeStorageCipher(fakeSafeStorage(), 'darwin').isAvailable()).toBe(true);
    expect(await createSafeStorageCipher(fakeSafeStorage(), 'win32').isAvailable()).toBe(true);
    expect(
      await createSafeStorageCipher(fakeSafeStorage({ available: false }), 'darwin').isAvailable(),
    ).toBe(false);
  });

  it('on a Linux desktop with a keyring keeps sessions: the backend selection is made before it is read', async () => {
    for (const backend of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6'] as const) {
      const storage = fakeSafeStorage({ backend });
      const verdicts: KeychainVerdict[] = [];
      const cipher = createSafeStorageCipher(storage, 'linux', (verdict) => verdicts.push(verdict));
      expect(await cipher.isAvailable(), backend).toBe(true);
      expect(verdicts).toEqual([{ kept: true, reason: backend }]);
      // Async encryptor first, then the sync selection, then the getter that reads it.
      const order = (fn: { mock: { invocationCallOrder: number[] } }) =>
        fn.mock.invocationCallOrder[0] ?? Number.NaN;
      expect(order(storage.isAsyncEncryptionAvailable)).toBeLessThan(
        order(storage.isEncryptionAvailable),
      );
      expect(order(storage.isEncryptionAvailable)).toBeLessThan(
        order(storage.getSelectedStorageBackend),
      );
    }
  });

  it('on Linux counts basic_text (a hard-coded key), an unknown backend and a silent keyring as no encryption, so nothing is persisted', async () => {
    for (const options of [
      { backend: 'basic_text' as const },
      { backend: 'unknown' as const },
      { backend: 'gnome_libsecret' as const, secretStoreAnswers: false },
      { available: false },
    ]) {
      const cipher = createSafeStorageCipher(fakeSafeStorage(options), 'linux');
      expect(await cipher.isAvailable(), JSON.stringify(options)).toBe(false);
    }
  });
});

describe('createOpenExternal', () => {
  it('opens http(s) URLs with shell.openExternal, looked up at call time', async () => {
    const shell = { openExternal: vi.fn(async () => {}) };
    const openExternal = createOpenExternal(shell);
    const replacement = vi.fn(async () => {});
    shell.openExternal = replacement; // what the Electron end-to-end test does in the main process
    await openExternal('http://127.0.0.1:4000/auth?client_id=x');
    expect(replacement).toHaveBeenCalledWith('http://127.0.0.1:4000/auth?client_id=x');
  });

  it('refuses other schemes without touching the OS', async () => {
    const shell = { openExternal: vi.fn(async () => {}) };
    await expect(createOpenExternal(shell)('file:///etc/passwd')).rejects.toThrow(/http/);
    expect(shell.openExternal).not.toHaveBeenCalled();
  });
});

/** BrowserWindow as main.ts passes it to createAppWindow: records the options it is constructed with. */
function windowOptions(options: AppWindowOptions): BrowserWindowConstructorOptions {
  const created: BrowserWindowConstructorOptions[] = [];
  class FakeBrowserWindow {
    constructor(constructorOptions: BrowserWindowConstructorOptions) {
      created.push(constructorOptions);
    }
  }
  const window = createAppWindow(FakeBrowserWindow, options);
  expect(window).toBeInstanceOf(FakeBrowserWindow);
  expect(created).toHaveLength(1);
  return created[0] ?? {};
}

describe('createAppWindow', () => {
  it('writes out every security-relevant web preference (checklist items 2, 3, 4, 6, 8, 9, 11)', () => {
    const options = windowOptions({
      preloadPath: '/app/dist/preload/ipc-bridge.cjs',
      devTools: false,
    });
    expect(options.webPreferences).toEqual({
      preload: '/app/dist/preload/ipc-bridge.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      plugins: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: false,
    });
  });

  it('enables no extra Blink features and no other preference that weakens the renderer (items 9, 10)', () => {
    const preferences = windowOptions({ preloadPath: 'p', devTools: false }).webPreferences ?? {};
    for (const key of [
      'enableBlinkFeatures',
      'additionalArguments',
      'partition',
      'session',
      'v8CacheOptions',
      'disableHtmlFullscreenWindowResize',
    ]) {
      expect(preferences, key).not.toHaveProperty(key);
    }
  });

  it('offers DevTools only when asked (unpackaged builds)', () => {
    expect(windowOptions({ preloadPath: 'p', devTools: true }).webPreferences?.devTools).toBe(true);
    expect(windowOptions({ preloadPath: 'p', devTools: false }).webPreferences?.devTools).toBe(
      false,
    );
  });

  it('starts hidden, and can be made narrow enough for the mobile menu', () => {
    const options = windowOptions({ preloadPath: 'p', devTools: true });
    expect(options.show).toBe(false);
    expect(options.minWidth).toBeLessThan(640);
  });

  it('keeps the menu bar visible on Windows and Linux (Settings, Edit and Help are found by looking)', () => {
    expect(windowOptions({ preloadPath: 'p', devTools: false }).autoHideMenuBar).toBe(false);
  });

  it('opens where it is told (the restored place), keeping its minimum size and its security preferences', () => {
    const options = windowOptions({
      preloadPath: 'p',
      devTools: false,
      bounds: { x: -1800, y: 40, width: 1000, height: 700 },
    });
    expect(options).toMatchObject({
      x: -1800,
      y: 40,
      width: 1000,
      height: 700,
      minWidth: WINDOW_SIZE.minWidth,
      minHeight: WINDOW_SIZE.minHeight,
    });
    expect(options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    });
    // Without a place: the default size, and no position (Electron centres the window).
    const first = windowOptions({ preloadPath: 'p', devTools: false });
    expect(first).toMatchObject({ width: WINDOW_SIZE.width, height: WINDOW_SIZE.height });
    expect(first).not.toHaveProperty('x');
  });
});

describe('showWhenReady', () => {
  function fakeWindow() {
    const calls: string[] = [];
    const events = new EventEmitter();
    return {
      calls,
      events,
      window: {
        once: (name: string, listener: () => void) => events.once(name, listener),
        show: () => calls.push('show'),
        maximize: () => calls.push('maximize'),
      },
    };
  }

  it('shows the window only once its page is ready', () => {
    const { calls, events, window } = fakeWindow();
    showWhenReady(window as never);
    expect(calls).toEqual([]);
    events.emit('ready-to-show');
    expect(calls).toEqual(['show']);
  });

  it('maximises it first when it was closed maximised', () => {
    const { calls, events, window } = fakeWindow();
    showWhenReady(window as never, { maximized: true });
    events.emit('ready-to-show');
    expect(calls).toEqual(['maximize', 'show']);
  });
});

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Every .ts/.tsx/.html file under a project folder, relative to the project root. */
function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(projectRoot, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|html)$/.test(entry.name))
    .map((entry) =>
      path.relative(projectRoot, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'),
    );
}

describe('where the app reaches Electron’s dangerous APIs (source scan)', () => {
  const files = ['src-main', 'src-preload', 'src-renderer'].flatMap(sourceFiles);

  it('calls shell.openExternal in one place only: createOpenExternal, behind the http(s) check (item 15)', () => {
    const callers = files.filter((file) =>
      /\bshell\s*\.\s*openExternal\s*\(/.test(readFileSync(path.join(projectRoot, file), 'utf8')),
    );
    expect(callers).toEqual(['src-main/electron/platform.ts']);
  });

  it('never loads a file:// page and never uses <webview> (items 11, 12, 18)', () => {
    for (const file of files) {
      const text = readFileSync(path.join(projectRoot, file), 'utf8');
      expect(
        /\.loadFile\s*\(|\bloadURL\s*\(\s*['"`]file:/.test(text),
        `${file} loads a file:// page`,
      ).toBe(false);
      // Markup or DOM creation, not a mention in a comment (`<webview>` in backticks).
      expect(
        /(?<![`'"])<webview[\s>/]|createElement\(\s*['"]webview['"]|\ballowpopups\s*[=>]/i.test(
          text,
        ),
        `${file} uses <webview>`,
      ).toBe(false);
    }
  });

  it('exposes nothing to the page but the preload’s one contextBridge object (item 20)', () => {
    const exposers = files.filter((file) =>
      /contextBridge\s*\.\s*expose/.test(readFileSync(path.join(projectRoot, file), 'utf8')),
    );
    expect(exposers).toEqual(['src-preload/ipc-bridge.ts']);
  });
});

describe('bringToFront', () => {
  function fakeWindow(minimized: boolean) {
    return {
      isDestroyed: () => false,
      isMinimized: () => minimized,
      restore: vi.fn(),
      show: vi.fn(),
      focus: vi.fn(),
    };
  }

  it('restores a minimized window, shows and focuses it', () => {
    const window = fakeWindow(true);
    const app = { focus: vi.fn() };
    bringToFront(window, app, 'linux');
    expect(window.restore).toHaveBeenCalled();
    expect(window.show).toHaveBeenCalled();
    expect(window.focus).toHaveBeenCalled();
    expect(app.focus).not.toHaveBeenCalled();
  });

  it('steals focus for the app on macOS', () => {
    const app = { focus: vi.fn() };
    bringToFront(fakeWindow(false), app, 'darwin');
    expect(app.focus).toHaveBeenCalledWith({ steal: true });
  });

  it('does nothing without a live window', () => {
    const app = { focus: vi.fn() };
    bringToFront(undefined, app, 'darwin');
    bringToFront({ ...fakeWindow(false), isDestroyed: () => true }, app, 'darwin');
    expect(app.focus).not.toHaveBeenCalled();
  });
});
