/**
 * The app window over its life (src-main/electron/app-window.ts) with a fake BrowserWindow that
 * follows Electron's documented behaviour (constructor options, 'ready-to-show', 'close', 'closed',
 * move/resize events, normal bounds) and a store that survives "restarts": the window reopens where
 * it was, Settings… reaches the renderer or reopens the window on the Settings page.
 */
import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions, Display, Rectangle } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import {
  SETTINGS_ROUTE,
  createAppWindows,
  type ManagedWindow,
} from '../../src-main/electron/app-window.ts';
import type { WindowState } from '../../src-main/electron/window-state.ts';
import { WINDOW_SIZE, type WindowClass } from '../../src-main/electron/window.ts';
import { silentLogger } from '../../src-main/core/platform.ts';

const ENTRY = 'app://renderer/index.html';
const workArea: Rectangle = { x: 0, y: 25, width: 1440, height: 875 };
const display = { workArea } as Display;

class FakeWindow extends EventEmitter {
  static created: FakeWindow[] = [];
  bounds: Rectangle;
  loaded: string[] = [];
  calls: string[] = [];
  destroyed = false;
  maximized = false;
  webContents = { send: vi.fn(), isDestroyed: () => this.destroyed };
  readonly options: BrowserWindowConstructorOptions;
  constructor(options: BrowserWindowConstructorOptions) {
    super();
    this.options = options;
    // Electron centres a window created without x/y.
    const width = options.width ?? 800;
    const height = options.height ?? 600;
    this.bounds = {
      x: options.x ?? Math.floor((workArea.width - width) / 2),
      y: options.y ?? workArea.y + Math.floor((workArea.height - height) / 2),
      width,
      height,
    };
    FakeWindow.created.push(this);
  }
  loadURL = async (url: string) => {
    this.loaded.push(url);
  };
  show = () => this.calls.push('show');
  focus = () => this.calls.push('focus');
  maximize = () => {
    this.calls.push('maximize');
    this.maximized = true;
  };
  restore = () => this.calls.push('restore');
  isMinimized = () => false;
  isMaximized = () => this.maximized;
  isDestroyed = () => this.destroyed;
  getNormalBounds = () => ({ ...this.bounds });
  /** The user closes the window: 'close', then it is destroyed, then 'closed'. */
  close() {
    this.emit('close');
    this.destroyed = true;
    this.emit('closed');
  }
}

/** The fake as the module sees it (it types the window it creates from the class it is given). */
type Fake = FakeWindow & ManagedWindow;

/** A window-state store that outlives the "app", as window-state.json does. */
function memoryStore() {
  let saved: unknown;
  return {
    load: () => structuredClone(saved),
    save: vi.fn((state: WindowState) => (saved = structuredClone(state))),
  };
}

function start(store = memoryStore(), platform: NodeJS.Platform = 'linux') {
  FakeWindow.created = [];
  const app = { focus: vi.fn() };
  const windows = createAppWindows({
    BrowserWindow: FakeWindow as unknown as WindowClass<Fake>,
    preloadPath: '/app/dist/preload/ipc-bridge.cjs',
    devTools: false,
    url: ENTRY,
    screen: { getAllDisplays: () => [display], getPrimaryDisplay: () => display },
    state: store,
    app,
    platform,
    log: silentLogger,
  });
  return { windows, store, app };
}

describe('createAppWindows', () => {
  it('opens the first window at the default size, centred, loading the app, shown once ready', () => {
    const { windows } = start();
    const window = windows.open();
    expect(window.options).toMatchObject({
      width: WINDOW_SIZE.width,
      height: WINDOW_SIZE.height,
      show: false,
    });
    expect(window.options).not.toHaveProperty('x');
    expect(window.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      preload: '/app/dist/preload/ipc-bridge.cjs',
    });
    expect(window.loaded).toEqual([ENTRY]);
    expect(window.calls).toEqual([]);
    window.emit('ready-to-show');
    expect(window.calls).toEqual(['show']);
    expect(windows.current()).toBe(window);
  });

  it('reopens, after a restart, where the user had moved and sized it', () => {
    const first = start();
    const window = first.windows.open();
    window.bounds = { x: 300, y: 120, width: 900, height: 640 };
    window.emit('move');
    window.emit('resize');
    window.close();
    expect(first.store.save).toHaveBeenLastCalledWith({
      bounds: { x: 300, y: 120, width: 900, height: 640 },
      maximized: false,
    });

    const again = start(first.store);
    expect(again.windows.open().options).toMatchObject({ x: 300, y: 120, width: 900, height: 640 });
  });

  it('reopens maximised when it was closed maximised, keeping the size to unmaximise to', () => {
    const first = start();
    const window = first.windows.open();
    window.bounds = { x: 50, y: 60, width: 1000, height: 700 };
    window.maximize();
    window.emit('maximize');
    window.close();

    const reopened = start(first.store).windows.open();
    expect(reopened.options).toMatchObject({ x: 50, y: 60, width: 1000, height: 700 });
    reopened.emit('ready-to-show');
    expect(reopened.calls).toEqual(['maximize', 'show']);
  });

  it('Settings… with the window open: brings it to the front and tells the renderer, no second window', () => {
    const { windows, app } = start(memoryStore(), 'darwin');
    const window = windows.open();
    windows.openSettings();
    expect(window.webContents.send.mock.calls).toEqual([['app:open-settings', null]]);
    expect(window.calls).toEqual(['show', 'focus']);
    expect(app.focus).toHaveBeenCalledWith({ steal: true });
    expect(FakeWindow.created).toHaveLength(1);
  });

  it('Settings… after the window was closed (macOS keeps the app running): a new window opens on the Settings page', () => {
    const { windows } = start(memoryStore(), 'darwin');
    const first = windows.open();
    first.close();
    expect(windows.current()).toBeUndefined();
    windows.openSettings();
    expect(FakeWindow.created).toHaveLength(2);
    const second = FakeWindow.created[1]!;
    expect(second.loaded).toEqual([`${ENTRY}#${SETTINGS_ROUTE}`]);
    expect(first.webContents.send).not.toHaveBeenCalled();
    expect(windows.current()).toBe(second);
  });

  it('focus brings the open window to the front, and does nothing without one', () => {
    const { windows } = start();
    windows.focus();
    const window = windows.open();
    windows.focus();
    expect(window.calls).toEqual(['show', 'focus']);
    window.close();
    windows.focus();
    expect(window.calls).toEqual(['show', 'focus']);
  });

  it('keeps following the newest window: an old one closing late does not unset it', () => {
    const { windows } = start();
    const old = windows.open();
    const fresh = windows.open();
    old.close();
    expect(windows.current()).toBe(fresh);
  });

  it('loads a route on the dev server the same way (hash after the server’s path)', () => {
    FakeWindow.created = [];
    const windows = createAppWindows({
      BrowserWindow: FakeWindow as unknown as WindowClass<Fake>,
      preloadPath: 'p',
      devTools: true,
      url: 'http://localhost:5173/',
      screen: { getAllDisplays: () => [display], getPrimaryDisplay: () => display },
      state: memoryStore(),
      app: { focus: vi.fn() },
      platform: 'linux',
      log: silentLogger,
    });
    expect(windows.open(SETTINGS_ROUTE).loaded).toEqual(['http://localhost:5173/#/settings']);
  });
});
