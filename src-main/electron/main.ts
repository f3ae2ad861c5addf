/**
 * The Electron main process: composes the shell's small modules around the Electron-free core.
 *
 *   before ready   single-instance lock, OS sandbox for every renderer, the privileged app:// scheme,
 *                  and the per-webContents security policy (hardening.ts)
 *   on ready       permissions denied, app:// served (production), the core host started on the
 *                  settings (environment > managed app-config.json > saved > the demo devstack)
 *                  with the Electron platform and its updates (updates.ts), IPC handlers
 *                  registered, application menu set (menu.ts),
 *                  session restored, window opened where it was last time (app-window.ts,
 *                  window-state.ts)
 *   on quit        core closed (pending sign-in, loopback receiver), devstack stopped
 *
 * Built to ESM (dist/main/main.js; Electron >= 28 loads an ESM main). As the ESM notes in Electron's
 * docs require, everything that must happen before `ready` runs synchronously at the top level, and
 * `whenReady()` is never awaited at the top level.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
} from 'electron';
import { APP_NAME } from '../../src-preload/app-name.ts';
import { DEFAULT_REDIRECT_SCHEME } from '../core/config.ts';
import { startCoreHost, type CoreHost } from '../core/host.ts';
import { createFileLog, teeLogger, type FileLog } from './app-log.ts';
import {
  AppLinkInbox,
  findAppLinks,
  linuxAppLinkHandler,
  namedAppLinkHandler,
  protocolClientCall,
  queryXdgMimeDefault,
  REGISTERED_SCHEME_KEY,
  schemeRegistrationPlan,
  type AppLinkHandler,
} from './app-link.ts';
import { createAppProtocolHandler } from './app-protocol.ts';
import { configSources, userDataOverride } from './config-sources.ts';
import { applyWebContentsPolicy, denyAllPermissions, hardenBeforeReady } from './hardening.ts';
import { createAppWindows, type AppWindows } from './app-window.ts';
import { registerBridgeHandlers, sendSessionChanged, sendUpdatesChanged } from './ipc.ts';
import { aboutPanelOptions, createOpenLocalPath, menuTemplate, securityNotesPath } from './menu.ts';
import { APP_SCHEME, cspFor, isTrustedSender, rendererSourceFor } from './policy.ts';
import { createElectronTransport } from './net-transport.ts';
import { createConsoleLogger, createOpenExternal, createSafeStorageCipher } from './platform.ts';
import { openSessionStore } from './session-store.ts';
import { smokeTest, wantsSmokeTest } from './smoke-test.ts';
import { SWITCH_BUTTON, switchConfirmation } from './switch-confirmation.ts';
import { createElectronUpdates } from './updates.ts';
import { openWindowStateStore } from './window-state-store.ts';

/** package.json's productName (src-preload/app-name.ts): what the OS calls the packaged app. */
const PRODUCT_NAME = APP_NAME;
/** electron-builder.yml's appId: the Windows AppUserModelID its installer gives the shortcuts. */
const APP_ID = 'com.example.electron-auth0-hello-world';
/** dist/main at run time (also inside app.asar): the renderer and preload are its siblings. */
const BUILD_DIR = import.meta.dirname;
const RENDERER_DIR = path.join(BUILD_DIR, '..', 'renderer');
const PRELOAD_PATH = path.join(BUILD_DIR, '..', 'preload', 'ipc-bridge.cjs');
/** Longest wait for the core and the devstack to close before the process quits anyway. */
const SHUTDOWN_TIMEOUT_MS = 5000;
/**
 * The key update metadata must be signed with (UPDATE_PUBLIC_KEY when the app was built: vite.config.ts
 * defines it). Unbuilt (tests import this file): none, and the environment may give one.
 */
const BUILD_UPDATE_PUBLIC_KEY =
  (typeof __UPDATE_PUBLIC_KEY__ === 'string' ? __UPDATE_PUBLIC_KEY__ : '') || undefined;
/** vite-plugin-electron's message when the preload was rebuilt in `vite` dev. */
const PRELOAD_REBUILT = 'electron-vite&type=hot-reload';

/** `--smoke-test` (smoke-test.ts): start, check the window and the bridge, say so, quit. */
const smokeTesting = wantsSmokeTest(process.argv);

// A separate profile (store, single-instance lock, logs) per run: the Electron tests set it per
// test. A packaged app ignores it (config-sources.ts). A smoke test gets a fresh temporary one, so it
// never touches (or waits on) the user's.
const userData = userDataOverride({ isPackaged: app.isPackaged, env: process.env });
if (userData) app.setPath('userData', userData);
else if (smokeTesting) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'smoke-test-'));
  app.setPath('userData', profile);
  app.on('quit', () => rmSync(profile, { recursive: true, force: true }));
}
// Windows groups taskbar buttons by AppUserModelID: the installer's shortcuts carry the appId, so
// the window must too, before it exists, or a pinned shortcut and the window are two buttons.
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

const fileLog = openFileLog();
/**
 * Every line to the console (development) and to the log file in the OS's log folder (app-log.ts).
 * A smoke test keeps stdout for its one line: its console lines go to stderr.
 */
const consoleLog = createConsoleLogger('electron', { stderrOnly: smokeTesting });
const log = fileLog ? teeLogger(consoleLog, fileLog.logger) : consoleLog;
const source = rendererSourceFor({
  devServerUrl: process.env.VITE_DEV_SERVER_URL,
  isPackaged: app.isPackaged,
});

hardenBeforeReady(app, protocol);

if (app.requestSingleInstanceLock()) {
  run();
} else {
  // Another instance owns the profile; it is told through 'second-instance' and comes to the front.
  app.quit();
}

function run(): void {
  let windows: AppWindows<BrowserWindow> | undefined;
  let core: CoreHost | undefined;
  let closed = false;

  const openExternal = createOpenExternal(shell);
  const focusApp = () => windows?.focus();
  const openLocalPath = createOpenLocalPath(shell, ({ path: target, message }) => {
    log.warn('could not open a local path', { path: target, message });
    dialog.showErrorBox('Could not open it', `${target}\n\n${message}`);
  });

  app.on('web-contents-created', (_event, contents) => {
    applyWebContentsPolicy(contents, {
      appOrigin: source.origin,
      openInBrowser: openExternal,
      log,
    });
  });
  // The app link (RFC 8252 §7.1). macOS: open-url, which may fire before ready (registered now);
  // elsewhere the URL is somewhere in the argv of this launch or of a second one.
  const appLinks = new AppLinkInbox();
  const redirectScheme = () => core?.config?.redirectScheme ?? DEFAULT_REDIRECT_SCHEME;
  app.on('open-url', (event, url) => {
    event.preventDefault();
    appLinks.push(url);
  });
  app.on('second-instance', (_event, argv) => {
    focusApp();
    for (const url of findAppLinks(argv, redirectScheme())) appLinks.push(url);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (windows && BrowserWindow.getAllWindows().length === 0) windows.open();
  });
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    void shutdown().finally(() => {
      closed = true;
      app.quit();
    });
  });
  if (source.mode === 'development') {
    process.on('message', (message) => {
      if (message === PRELOAD_REBUILT)
        for (const each of BrowserWindow.getAllWindows()) each.webContents.reload();
    });
  }

  app.whenReady().then(start).catch(fail);

  async function start(): Promise<void> {
    denyAllPermissions(session.defaultSession);
    if (source.mode === 'production') {
      protocol.handle(
        APP_SCHEME,
        createAppProtocolHandler({ rootDir: RENDERER_DIR, csp: cspFor('production') }),
      );
    }
    if (fileLog) log.info('logging to a file', { file: fileLog.file });
    const settingsStore = openSessionStore('settings');
    core = await startCoreHost({
      env: process.env,
      // Packaged: the organisation's app-config.json (extraResources) wins; `.env` in the profile
      // folder fills in only what it leaves unset. Development: the environment and `.env` first.
      ...configSources({
        isPackaged: app.isPackaged,
        userDataDir: app.getPath('userData'),
        resourcesPath: process.resourcesPath,
        cwd: process.cwd(),
      }),
      // The built-in demo provider keeps its state in the profile: sessions survive restarts.
      devstackDataDir: path.join(app.getPath('userData'), 'devstack'),
      settingsStore,
      platform: {
        openExternal,
        cipher: createSafeStorageCipher(safeStorage, process.platform, (verdict, facts) =>
          log.info(
            verdict.kept
              ? 'sessions are kept across restarts, encrypted with the OS keychain'
              : 'sessions are kept in memory only',
            { keychain: verdict.reason, backend: facts.backend },
          ),
        ),
        store: openSessionStore(),
        emit: (view) => sendSessionChanged(windows?.current()?.webContents, view),
        focusApp,
        log,
        appLinkRegistered: () => appLinkHandler().registered,
        appLinkMissing: () => appLinkHandler().reason,
        copyText: (text) => clipboard.writeText(text),
      },
      // Updates (issue 20): the core decides; Electron gives the version, the paths and the restart.
      updates: createElectronUpdates({
        app,
        resourcesPath: process.resourcesPath,
        env: process.env,
        ...(BUILD_UPDATE_PUBLIC_KEY ? { buildPublicKey: BUILD_UPDATE_PUBLIC_KEY } : {}),
        emit: (view) => sendUpdatesChanged(windows?.current()?.webContents, view),
        log,
      }),
      // Every request through Chromium's stack (system proxy, PAC, the OS certificate store).
      // net.fetch is the default session's fetch; a Check connection with another proxy gets an
      // in-memory session of its own, so the proxy it tries is not the app's.
      transportFor: (proxy, purpose) =>
        createElectronTransport({
          session:
            purpose === 'check' ? session.fromPartition('network-check') : session.defaultSession,
          proxy,
        }),
      // A switch of provider or API is confirmed here, in a dialog the renderer cannot click (N5).
      confirmSwitch: async (change) => {
        const window = windows?.current();
        const options = switchConfirmation(change);
        const answer = await (window
          ? dialog.showMessageBox(window, options)
          : dialog.showMessageBox(options));
        return answer.response === SWITCH_BUTTON;
      },
    });
    log.info(core.summary);
    // A scheme registered by an earlier start and no longer used is given back to the OS first; a smoke
    // test leaves the OS's scheme handlers alone.
    if (!smokeTesting) {
      const plan = schemeRegistrationPlan(
        settingsStore.get(REGISTERED_SCHEME_KEY),
        redirectScheme(),
      );
      if (plan.unregister) unregisterAppLinkHandler(plan.unregister);
      registerAppLinkHandler(plan.register);
      settingsStore.set(REGISTERED_SCHEME_KEY, plan.register);
    }
    // In the background: the window does not wait for the desktop's answer (xdg-mime takes ~0.5 s).
    void checkAppLinkHandler(redirectScheme());
    for (const url of findAppLinks(process.argv, redirectScheme())) appLinks.push(url);
    appLinks.open((url) => {
      // Taken only while an app-link sign-in waits; anything else is dropped and logged, redacted.
      core?.core?.session.deliverAppLink(url);
    });
    registerBridgeHandlers(ipcMain, core, (frame) => isTrustedSender(frame, source.origin));
    app.setAboutPanelOptions(aboutPanelOptions({ name: app.name, version: app.getVersion() }));
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate({
          platform: process.platform,
          appName: app.name,
          development: !app.isPackaged,
          commands: {
            openSettings: () => windows?.openSettings(),
            openLogsFolder: () =>
              void openLocalPath(fileLog ? path.dirname(fileLog.file) : app.getPath('logs')),
            openSecurityNotes: () =>
              void openLocalPath(
                securityNotesPath({
                  isPackaged: app.isPackaged,
                  resourcesPath: process.resourcesPath,
                  appPath: app.getAppPath(),
                }),
              ),
          },
        }),
      ),
    );
    // The window opens at once and shows "restoring" until the vault has been read.
    core
      .restore()
      .catch((error: unknown) =>
        log.error('restoring the session failed', { message: messageOf(error) }),
      );
    windows = createAppWindows({
      BrowserWindow,
      preloadPath: PRELOAD_PATH,
      devTools: !app.isPackaged,
      url: source.url,
      screen,
      state: openWindowStateStore(log),
      app,
      platform: process.platform,
      log,
    });
    const window = windows.open();
    if (smokeTesting) {
      smokeTest(window.webContents, { appOrigin: source.origin }).then(
        (line) => {
          process.stdout.write(`${line}\n`);
          app.quit();
        },
        (error: unknown) => {
          process.stderr.write(`smoke test FAILED: ${messageOf(error)}\n`);
          void shutdown().finally(() => app.exit(1));
        },
      );
    }
  }

  /** The scheme, executable and arguments Electron's protocol-client calls take for this app. */
  function protocolClientOf(scheme: string): [string, string, string[]] {
    const call = protocolClientCall({
      scheme,
      platform: process.platform,
      isPackaged: app.isPackaged,
      execPath: process.execPath,
      appPath: app.getAppPath(),
    });
    // Without a path Electron uses its own executable (the packaged app); with one, `electron .` + argv.
    return call.path
      ? [call.scheme, call.path, call.args ?? []]
      : [call.scheme, process.execPath, []];
  }

  function registerAppLinkHandler(scheme: string): void {
    // electronegativity-ignore: PROTOCOL_HANDLER_JS_CHECK — the app link's private-use scheme (RFC 8252 §7.1); a URL it brings is only handed to the core, which takes it only while an app-link sign-in waits, once, exact scheme + path, then state/PKCE/nonce/iss; test/integration/app-link.test.ts, test/unit/electron-app-link.test.ts
    const registered = app.setAsDefaultProtocolClient(...protocolClientOf(scheme));
    log.info('asked to open the app link', { scheme, registered });
  }

  function unregisterAppLinkHandler(scheme: string): void {
    const removed = app.removeAsDefaultProtocolClient(...protocolClientOf(scheme));
    log.info('gave an old app link scheme back to the OS', { scheme, removed });
  }

  /**
   * Whether the OS hands the scheme's URLs to this app (the app link is offered only then), and if
   * not why: Linux asks the desktop (xdg-mime must name this app's .desktop file), macOS and Windows
   * compare the OS's name for the handler. Checked at start, and again in the background when asked
   * after 10 s (an installed desktop file then counts without a restart).
   */
  let appLinkState: { scheme: string; handler: AppLinkHandler; at: number } | undefined;
  async function checkAppLinkHandler(scheme: string): Promise<void> {
    const handler =
      process.platform === 'linux'
        ? linuxAppLinkHandler({
            scheme,
            desktopFile: process.env.CHROME_DESKTOP,
            query: await queryXdgMimeDefault(scheme),
          })
        : namedAppLinkHandler({
            scheme,
            handlerName: app.getApplicationNameForProtocol(`${scheme}://`),
            appNames: [app.name, PRODUCT_NAME],
          });
    if (!handler.registered && appLinkState?.handler.reason !== handler.reason)
      log.info('the app link is not offered', { scheme, reason: handler.reason });
    appLinkState = { scheme, handler, at: Date.now() };
  }
  function appLinkHandler(): AppLinkHandler {
    const scheme = redirectScheme();
    if (!appLinkState || appLinkState.scheme !== scheme || Date.now() - appLinkState.at > 10_000)
      void checkAppLinkHandler(scheme);
    // Not answered yet: not offered, and nothing to say about it.
    return appLinkState?.scheme === scheme ? appLinkState.handler : { registered: false };
  }

  async function shutdown(): Promise<void> {
    const steps = async () => {
      // Closes the running core and stops the demo provider if it runs.
      await core
        ?.close()
        .catch((error: unknown) =>
          log.warn('closing the core failed', { message: messageOf(error) }),
        );
    };
    await Promise.race([
      steps(),
      new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref()),
    ]);
  }

  function fail(error: unknown): void {
    // A bad setting does not come here (the app runs "not configured" and Settings says which one).
    const title = 'The app could not start';
    log.error(title, { message: messageOf(error) });
    // A smoke test has nobody to close a dialog: its one line goes to stderr instead.
    if (smokeTesting) process.stderr.write(`smoke test FAILED: ${title}: ${messageOf(error)}\n`);
    else dialog.showErrorBox(title, messageOf(error));
    void shutdown().finally(() => app.exit(1));
  }
}

/**
 * The log file in `app.getPath('logs')`; without one (a read-only profile) the app logs to the
 * console only.
 */
function openFileLog(): FileLog | undefined {
  try {
    return createFileLog({ dir: app.getPath('logs'), scope: 'electron' });
  } catch (error) {
    createConsoleLogger('electron').warn('no log file: logging to the console only', {
      message: messageOf(error),
    });
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
