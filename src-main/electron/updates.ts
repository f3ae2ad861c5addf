/**
 * The Electron edge of updates (issue 20): what only Electron knows (the app's version and name,
 * whether it is packaged, its profile folder, quitting to install) handed to the core's
 * UpdateService, which the core host builds and which decides everything else (updates.ts,
 * update-service.ts). main.ts passes this to startCoreHost as its `updates` platform.
 *
 * Folders: the installation id lives in the profile (`userData`); downloads go where electron-updater
 * and the NSIS installer expect them (`getAppCacheDir()`: %LOCALAPPDATA% on Windows, ~/Library/Caches
 * on macOS, $XDG_CACHE_HOME or ~/.cache on Linux, then `<package name>-updater`). The updater's
 * config is electron-builder's resources/app-update.yml when the build has a `publish` feed, else a
 * small file in the profile naming that cache folder.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { App } from 'electron';
import { getAppCacheDir } from 'electron-updater/out/AppAdapter.js';
import type { UpdateView } from '../../src-preload/contract.ts';
import type { Logger } from '../core/platform.ts';
import {
  channelFileFor,
  createPlatformUpdater,
  createUpdaterApp,
  ensureUpdaterConfig,
  installKindFor,
} from '../core/updates/update-platform.ts';
import type { UpdatesPlatform } from '../core/updates/updates.ts';

/** electron-builder's `updaterCacheDirName`: package.json's name in lower case + "-updater". */
export const UPDATER_CACHE_DIR_NAME = 'electron-auth0-hello-world-updater';

export type UpdaterElectronApp = Pick<
  App,
  'getVersion' | 'getName' | 'isPackaged' | 'getPath' | 'quit' | 'relaunch' | 'once'
>;

export interface ElectronUpdatesOptions {
  app: UpdaterElectronApp;
  /**
   * `process.resourcesPath`: where electron-builder puts app-update.yml (read only in a packaged
   * app; Node, which runs the unit tests, has no such folder).
   */
  resourcesPath: string | undefined;
  env: NodeJS.ProcessEnv;
  /** UPDATE_PUBLIC_KEY as the build was made with it (the `__UPDATE_PUBLIC_KEY__` define). */
  buildPublicKey?: string;
  /** Sends `updates:changed` to the window. */
  emit: (view: UpdateView) => void;
  log: Logger;
}

/** The core host's `updates` platform, from Electron's `app`. */
export function createElectronUpdates(options: ElectronUpdatesOptions): UpdatesPlatform {
  const { app } = options;
  const install = installKindFor({
    platform: process.platform,
    packaged: app.isPackaged,
    env: options.env,
  });
  const builtConfig =
    app.isPackaged && options.resourcesPath
      ? path.join(options.resourcesPath, 'app-update.yml')
      : undefined;
  const hasBuiltConfig = builtConfig !== undefined && existsSync(builtConfig);
  const userData = app.getPath('userData');
  return {
    install,
    currentVersion: app.getVersion(),
    channelFile: channelFileFor(process.platform, process.arch),
    userDataPath: userData,
    ...(hasBuiltConfig ? { appUpdateYml: builtConfig } : {}),
    ...(options.buildPublicKey ? { buildPublicKey: options.buildPublicKey } : {}),
    emit: options.emit,
    createUpdater: (feedUrl, executor) => {
      if (install !== 'appimage' && install !== 'nsis' && install !== 'mac')
        throw new Error(`no platform updater for a ${install} installation`);
      return createPlatformUpdater({
        kind: install,
        app: createUpdaterApp({
          version: app.getVersion(),
          name: app.getName(),
          userDataPath: userData,
          baseCachePath: getAppCacheDir(),
          appUpdateConfigPath: hasBuiltConfig
            ? builtConfig!
            : ensureUpdaterConfig(path.join(userData, 'update-config.yml'), UPDATER_CACHE_DIR_NAME),
          quit: () => app.quit(),
          relaunch: () => app.relaunch(),
          onQuit: (handler) => app.once('quit', (_event, exitCode) => handler(exitCode)),
        }),
        feedUrl,
        executor,
        log: options.log,
      });
    },
    // Not silent (the NSIS installer shows its progress), and the app starts again afterwards.
    installNow: (updater) => updater.quitAndInstall(false, true),
  };
}
