/**
 * An installed app for the update tests and the benchmark (issue 20): a profile folder, a cache
 * folder, the installed AppImage (or NSIS installer copy) and an UpdateService built the way a host
 * builds it: settings through the real resolver, electron-updater's real platform updater with this
 * app's adapter and HTTP executor. What only the OS does is stood in for, as documented: the
 * AppImage runtime sets `APPIMAGE` to the running file; quitting to install is recorded.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppUpdater } from 'electron-updater';
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
import type { UpdatesPlatform } from '../../src-main/core/updates/updates.ts';
import { resolveUpdateSetup } from '../../src-main/core/updates/update-setup.ts';
import type { PendingActivity } from '../../src-preload/contract.ts';
import { envTransport } from './transport.ts';

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

export interface TestPlatformOptions {
  installation: TestInstallation;
  version: string;
  install?: InstallKind;
  /** For `appimage`: the running AppImage (APPIMAGE). */
  appImage?: string;
  restartPollMs?: number;
  /** false: always the full download (electron-updater's disableDifferentialDownload), for comparison. */
  differential?: boolean;
  emit?: UpdatesPlatform['emit'];
  log?: Logger;
}

export interface TestPlatform {
  /** What a host is given (the core host's `updates` option). */
  platform: UpdatesPlatform;
  /** How many times the app was asked to quit and install. */
  installs: () => number;
  /** Puts the environment back (APPIMAGE). */
  restore(): void;
}

/**
 * The updates platform of an installed app, as the Electron edge builds it (electron/updates.ts)
 * but with this installation's folders, and quitting to install recorded.
 */
export function testUpdatesPlatform(options: TestPlatformOptions): TestPlatform {
  const { installation } = options;
  const install = options.install ?? 'appimage';
  const previousAppImage = process.env.APPIMAGE;
  if (install === 'appimage') process.env.APPIMAGE = options.appImage;
  else delete process.env.APPIMAGE;
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
  return {
    platform: {
      install,
      currentVersion: options.version,
      channelFile: channelFileFor(process.platform, process.arch),
      userDataPath: installation.userData,
      createUpdater: (feedUrl, executor) => {
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
      installNow: () => void installs++,
      emit: options.emit ?? (() => {}),
      restartPollMs: options.restartPollMs ?? 20,
    },
    installs: () => installs,
    restore: () => {
      if (previousAppImage === undefined) delete process.env.APPIMAGE;
      else process.env.APPIMAGE = previousAppImage;
    },
  };
}

export interface TestUpdatesOptions extends TestPlatformOptions {
  /** The environment's update settings. */
  environment?: UpdateSettings;
  managed?: UpdateSettings;
  pending?: () => PendingActivity | undefined;
}

export interface TestUpdates {
  service: UpdateService;
  executor: UpdateHttpExecutor;
  /** How many times the app was asked to quit and install. */
  installs: () => number;
  /** Puts the environment back (APPIMAGE) and stops the service. */
  dispose(): void;
}

/** An UpdateService over `testUpdatesPlatform`, with the settings given as plain layers. */
export function createTestUpdates(options: TestUpdatesOptions): TestUpdates {
  const test = testUpdatesPlatform(options);
  const { platform } = test;
  // The feed through the transport a host gives it (the feed is on 127.0.0.1: direct by the policy).
  const executor = new UpdateHttpExecutor(envTransport().fetchFor('UPDATE_FEED_URL'));
  let updater: AppUpdater | undefined;
  const service = new UpdateService({
    setup: resolveUpdateSetup(
      { environment: options.environment ?? {}, managed: options.managed ?? {}, build: {} },
      { order: 'managed-first' },
    ),
    install: platform.install,
    currentVersion: options.version,
    channelFile: platform.channelFile,
    createUpdater: (feedUrl) => (updater = platform.createUpdater(feedUrl, executor)),
    executor,
    userDataPath: options.installation.userData,
    installNow: (version) => platform.installNow(updater!, version),
    pendingActivity: options.pending ?? (() => undefined),
    restartPollMs: platform.restartPollMs ?? 20,
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    service,
    executor,
    installs: test.installs,
    dispose: () => {
      service.close();
      test.restore();
    },
  };
}
