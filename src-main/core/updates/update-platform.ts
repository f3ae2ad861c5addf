/**
 * The platform updater (issue 20): electron-updater's own `AppImageUpdater` / `NsisUpdater` /
 * `MacUpdater`, built with an app adapter and an HTTP executor this app supplies, never its
 * `autoUpdater` getter (that builds the Electron adapter, which loads `electron`: under Node the
 * `electron` package then tries to download its binary). The default import is used on purpose:
 * electron-updater is CommonJS, and a named import of it fails in the ESM main process.
 *
 * What each installation does (`installKindFor`):
 *   Windows   NSIS installer: downloaded (differentially, from the installer cached at install),
 *             run on restart
 *   macOS     the zip, handed to Squirrel.Mac (Electron's own updater; MacUpdater, Electron only)
 *   Linux     an AppImage replaces itself (blockmap embedded in the file); anything else (.deb) is
 *             its package manager's: no download, no pkexec
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import updater from 'electron-updater';
import type { AppUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import { dump } from 'js-yaml';
import type { Logger } from '../platform.ts';
import type { UpdateHttpExecutor } from './update-http.ts';

export type InstallKind = 'appimage' | 'nsis' | 'mac' | 'package-manager' | 'not-installed';

/**
 * How this installation can be updated. `env`: the process environment (the AppImage runtime sets
 * APPIMAGE).
 */
export function installKindFor(options: {
  platform: NodeJS.Platform;
  packaged: boolean;
  env: NodeJS.ProcessEnv;
}): InstallKind {
  if (!options.packaged) return 'not-installed';
  switch (options.platform) {
    case 'win32':
      return 'nsis';
    case 'darwin':
      return 'mac';
    case 'linux':
      return options.env.APPIMAGE && path.isAbsolute(options.env.APPIMAGE)
        ? 'appimage'
        : 'package-manager';
    default:
      return 'package-manager';
  }
}

/**
 * The metadata file electron-updater's generic provider asks for (its own naming): `latest.yml`
 * (Windows), `latest-mac.yml`, `latest-linux.yml` (`latest-linux-arm64.yml` on other
 * architectures). The signature covers this name.
 */
export function channelFileFor(platform: NodeJS.Platform, arch: string): string {
  if (platform === 'darwin') return 'latest-mac.yml';
  if (platform === 'win32') return 'latest.yml';
  return `latest-linux${arch === 'x64' ? '' : `-${arch}`}.yml`;
}

export interface UpdaterAppOptions {
  version: string;
  name: string;
  /** Where the installation id is kept (the app's profile). */
  userDataPath: string;
  /** The parent of electron-updater's download cache (`<cache>/<updaterCacheDirName>`). */
  baseCachePath: string;
  /** electron-builder's resources/app-update.yml when the build has one, else a file made here. */
  appUpdateConfigPath: string;
  quit(): void;
  relaunch(): void;
  onQuit(handler: (exitCode: number) => void): void;
}

/** electron-updater's AppAdapter from plain values: Electron's `app` or the Node hosts fill it in. */
export function createUpdaterApp(options: UpdaterAppOptions): AppAdapter {
  return {
    version: options.version,
    name: options.name,
    // Only an installed app updates; installKindFor decides that before an updater exists.
    isPackaged: true,
    appUpdateConfigPath: options.appUpdateConfigPath,
    userDataPath: options.userDataPath,
    baseCachePath: options.baseCachePath,
    whenReady: () => Promise.resolve(),
    quit: () => options.quit(),
    relaunch: () => options.relaunch(),
    onQuit: (handler) => options.onQuit(handler),
  };
}

/**
 * electron-updater reads its download cache's folder name from app-update.yml, which
 * electron-builder writes only when the build has a `publish` configuration. Without one, this
 * writes the same name electron-builder would (`<package name>-updater`, where the NSIS installer
 * leaves a copy of itself for differential downloads) to `file`, once.
 */
export function ensureUpdaterConfig(file: string, updaterCacheDirName: string): string {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, dump({ updaterCacheDirName }), { mode: 0o600 });
  }
  return file;
}

export interface PlatformUpdaterOptions {
  kind: 'appimage' | 'nsis' | 'mac';
  app: AppAdapter;
  feedUrl: URL;
  executor: UpdateHttpExecutor;
  log: Logger;
}

/** A configured electron-updater for the platform: nothing is downloaded until the core asks. */
export function createPlatformUpdater(options: PlatformUpdaterOptions): AppUpdater {
  // Property access on the default export: never `autoUpdater`, never a spread of the module.
  const { AppImageUpdater, MacUpdater, NsisUpdater } = updater;
  const instance =
    options.kind === 'appimage'
      ? new AppImageUpdater(null, options.app)
      : options.kind === 'nsis'
        ? new NsisUpdater(null, options.app)
        : new MacUpdater(undefined, options.app);
  // Set before setFeedURL: the provider takes the executor it finds then. (With an app adapter
  // given, electron-updater leaves it null instead of building its Electron one.)
  (instance as unknown as { httpExecutor: UpdateHttpExecutor }).httpExecutor = options.executor;
  instance.logger = {
    info: (message?: unknown) => options.log.info(`update: ${String(message)}`),
    warn: (message?: unknown) => options.log.warn(`update: ${String(message)}`),
    error: (message?: unknown) => options.log.error(`update: ${String(message)}`),
  };
  // The core decides when to download (and shows it); never a downgrade; no NSIS web installer
  // (this app does not build one, so a feed that names one is not followed).
  instance.autoDownload = false;
  instance.allowDowngrade = false;
  instance.disableWebInstaller = true;
  instance.setFeedURL({ provider: 'generic', url: options.feedUrl.href });
  return instance;
}
