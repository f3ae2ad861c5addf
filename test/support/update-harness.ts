/**
 * An installed app for the update tests and the benchmark (issue 20): a profile folder, a cache
 * folder, the installed AppImage (or NSIS installer copy) and an UpdateService built the way a host
 * builds it: settings through the real resolver, electron-updater's real platform updater with this
 * app's adapter and HTTP executor. What only the OS does is stood in for, as documented: the
 * AppImage runtime sets `APPIMAGE` to the running file; quitting to install is recorded.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { UpdateSettings } from '../../src-main/core/config.ts';
import type { Logger } from '../../src-main/core/platform.ts';
import { INSTALLATION_ID_FILE } from '../../src-main/core/updates/rollout.ts';
import { UpdateHttpExecutor } from '../../src-main/core/updates/update-http.ts';
import {
  channelFileFor,
  createPlatformUpdater,
  createUpdaterApp,
  ensureUpdaterConfig,
  type InstallKind,
} from '../../src-main/core/updates/update-platform.ts';
import { UpdateService } from '../../src-main/core/updates/update-service.ts';
import { resolveUpdateSetup } from '../../src-main/core/updates/update-setup.ts';
import type { PendingActivity } from '../../src-main/core/updates/update-state.ts';

export const CACHE_DIR_NAME = 'update-test-updater';

export interface TestInstallation {
  root: string;
  userData: string;
  cache: string;
  /** Where electron-updater keeps downloads: `<cache>/<CACHE_DIR_NAME>`. */
  updaterCache: string;
}

export function makeInstallation(root: string): TestInstallation {
  const userData = path.join(root, 'profile');
  const cache = path.join(root, 'cache');
  mkdirSync(userData, { recursive: true });
  mkdirSync(cache, { recursive: true });
  return { root, userData, cache, updaterCache: path.join(cache, CACHE_DIR_NAME) };
}

/** Pins the installation's rollout id (what a profile would hold after its first check). */
export function pinInstallationId(installation: TestInstallation, id: string): void {
  writeFileSync(path.join(installation.userData, INSTALLATION_ID_FILE), id);
}

export interface TestUpdatesOptions {
  installation: TestInstallation;
  version: string;
  /** The environment's update settings. */
  environment?: UpdateSettings;
  managed?: UpdateSettings;
  install?: InstallKind;
  /** For `appimage`: the running AppImage (APPIMAGE). */
  appImage?: string;
  pending?: () => PendingActivity | undefined;
  restartPollMs?: number;
  /** false: always the full download (electron-updater's disableDifferentialDownload), for comparison. */
  differential?: boolean;
  log?: Logger;
}

export interface TestUpdates {
  service: UpdateService;
  executor: UpdateHttpExecutor;
  /** How many times the app was asked to quit and install. */
  installs: () => number;
  /** Puts the environment back (APPIMAGE) and stops the service. */
  dispose(): void;
}

export function createTestUpdates(options: TestUpdatesOptions): TestUpdates {
  const { installation } = options;
  const install = options.install ?? 'appimage';
  const previousAppImage = process.env.APPIMAGE;
  if (install === 'appimage') process.env.APPIMAGE = options.appImage;
  else delete process.env.APPIMAGE;
  const executor = new UpdateHttpExecutor();
  let installs = 0;
  const app = createUpdaterApp({
    version: options.version,
    name: 'update-test',
    userDataPath: installation.userData,
    baseCachePath: installation.cache,
    appUpdateConfigPath: ensureUpdaterConfig(
      path.join(installation.root, 'app-update.yml'),
      CACHE_DIR_NAME,
    ),
    quit: () => {},
    relaunch: () => {},
    onQuit: () => {},
  });
  const log = options.log ?? { info() {}, warn() {}, error() {} };
  const service = new UpdateService({
    setup: resolveUpdateSetup(
      { environment: options.environment ?? {}, managed: options.managed ?? {}, build: {} },
      { order: 'managed-first' },
    ),
    install,
    currentVersion: options.version,
    channelFile: channelFileFor(process.platform, process.arch),
    createUpdater: (feedUrl) => {
      const updater = createPlatformUpdater({
        kind: install === 'nsis' ? 'nsis' : 'appimage',
        app,
        feedUrl,
        executor,
        log,
      });
      updater.disableDifferentialDownload = options.differential === false;
      return updater;
    },
    executor,
    userDataPath: installation.userData,
    installNow: () => void installs++,
    pendingActivity: options.pending ?? (() => undefined),
    restartPollMs: options.restartPollMs ?? 20,
    log,
  });
  return {
    service,
    executor,
    installs: () => installs,
    dispose: () => {
      service.close();
      if (previousAppImage === undefined) delete process.env.APPIMAGE;
      else process.env.APPIMAGE = previousAppImage;
    },
  };
}
