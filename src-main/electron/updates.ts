/**
 * The Electron edge of updates (issue 20): what only Electron knows (the app's version and name,
 * whether it is packaged, its profile folder, quitting to install) handed to the core's
 * UpdateService, which decides everything else (update-service.ts). Not started by main.ts yet: the
 * wiring step adds Settings → Updates, the contract's channels and the session's "pending" answer.
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
import type { AppUpdater } from 'electron-updater';
import { getAppCacheDir } from 'electron-updater/out/AppAdapter.js';
import type { Logger } from '../core/platform.ts';
import { UpdateHttpExecutor, type UpdateTransport } from '../core/updates/update-http.ts';
import {
  channelFileFor,
  createPlatformUpdater,
  createUpdaterApp,
  ensureUpdaterConfig,
  installKindFor,
} from '../core/updates/update-platform.ts';
import { UpdateService } from '../core/updates/update-service.ts';
import { loadUpdateSetup } from '../core/updates/update-setup.ts';
import type { PendingActivity } from '../core/updates/update-state.ts';
import type { ConfigSources } from './config-sources.ts';

/** electron-builder's `updaterCacheDirName`: package.json's name in lower case + "-updater". */
export const UPDATER_CACHE_DIR_NAME = 'electron-auth0-hello-world-updater';

export type UpdaterElectronApp = Pick<
  App,
  'getVersion' | 'getName' | 'isPackaged' | 'getPath' | 'quit' | 'relaunch' | 'once'
>;

export interface ElectronUpdatesOptions {
  app: UpdaterElectronApp;
  /** `process.resourcesPath`: where electron-builder puts app-update.yml and app-config.json. */
  resourcesPath: string;
  env: NodeJS.ProcessEnv;
  /** Where settings come from: configSources(), as main.ts gives the core host. */
  sources: ConfigSources;
  /** UPDATE_PUBLIC_KEY as the build was made with it. */
  buildPublicKey?: string;
  /** A sign-in, a sign-in code or a logout the restart must wait for (the session answers). */
  pendingActivity: () => PendingActivity | undefined;
  log: Logger;
  /** The network transport (default: fetch). */
  transport?: UpdateTransport;
}

export function createElectronUpdates(options: ElectronUpdatesOptions): UpdateService {
  const { app } = options;
  const install = installKindFor({
    platform: process.platform,
    packaged: app.isPackaged,
    env: options.env,
  });
  const builtConfig = path.join(options.resourcesPath, 'app-update.yml');
  const hasBuiltConfig = existsSync(builtConfig);
  const userData = app.getPath('userData');
  const executor = new UpdateHttpExecutor(options.transport);
  let updater: AppUpdater | undefined;
  return new UpdateService({
    setup: loadUpdateSetup({
      env: options.env,
      ...options.sources,
      appUpdateYml: hasBuiltConfig ? builtConfig : undefined,
      buildPublicKey: options.buildPublicKey,
    }),
    install,
    currentVersion: app.getVersion(),
    channelFile: channelFileFor(process.platform, process.arch),
    createUpdater: (feedUrl) => {
      if (install !== 'appimage' && install !== 'nsis' && install !== 'mac')
        throw new Error(`no platform updater for a ${install} installation`);
      updater = createPlatformUpdater({
        kind: install,
        app: createUpdaterApp({
          version: app.getVersion(),
          name: app.getName(),
          userDataPath: userData,
          baseCachePath: getAppCacheDir(),
          appUpdateConfigPath: hasBuiltConfig
            ? builtConfig
            : ensureUpdaterConfig(path.join(userData, 'update-config.yml'), UPDATER_CACHE_DIR_NAME),
          quit: () => app.quit(),
          relaunch: () => app.relaunch(),
          onQuit: (handler) => app.once('quit', (_event, exitCode) => handler(exitCode)),
        }),
        feedUrl,
        executor,
        log: options.log,
      });
      return updater;
    },
    executor,
    userDataPath: userData,
    // Not silent (the NSIS installer shows its progress), and the app starts again afterwards.
    installNow: () => updater?.quitAndInstall(false, true),
    pendingActivity: options.pendingActivity,
    log: options.log,
  });
}
