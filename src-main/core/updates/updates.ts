/**
 * Updates in a host (issue 20): the core host (host.ts) builds the one UpdateService from the same
 * sources its sign-in settings come from (the environment, `.env`, the organisation's
 * app-config.json) plus what the build carries, and answers the contract's `updates:*` channels
 * with it. What differs between the Electron app and the preview enters as an `UpdatesPlatform`:
 * the version, the kind of installation, how electron-updater's platform updater is built and what
 * "quit and install" means there.
 */
import type { AppUpdater } from 'electron-updater';
import type { PendingActivity, UpdateView } from '../../../src-preload/contract.ts';
import type { Logger } from '../platform.ts';
import { UpdateHttpExecutor, type UpdateTransport } from './update-http.ts';
import type { InstallKind } from './update-platform.ts';
import { UpdateService } from './update-service.ts';
import { loadUpdateSetup } from './update-setup.ts';

export interface UpdatesPlatform {
  /** How this installation is updated (installKindFor). */
  install: InstallKind;
  currentVersion: string;
  /** The metadata file electron-updater asks for (channelFileFor): part of what is signed. */
  channelFile: string;
  /** The profile folder: the installation's rollout id is kept there. */
  userDataPath: string;
  /** electron-builder's resources/app-update.yml when the build has a publish feed. */
  appUpdateYml?: string;
  /** UPDATE_PUBLIC_KEY as the build was made with it. */
  buildPublicKey?: string;
  /** The platform updater for this feed (createPlatformUpdater, with the host's app adapter). */
  createUpdater(feedUrl: URL, executor: UpdateHttpExecutor): AppUpdater;
  /**
   * Quits and installs `version`, which `updater` downloaded (Electron: quitAndInstall; the preview:
   * recorded).
   */
  installNow(updater: AppUpdater, version: string): void;
  /** Called on every change, with what the renderer may see (`updates:changed`). */
  emit(view: UpdateView): void;
  /** First automatic check after start (default 10 s); then every 4 hours. */
  firstCheckAfterMs?: number;
  /** How often a waiting restart asks again (default 1 s). */
  restartPollMs?: number;
}

export interface HostUpdatesOptions {
  /** Absent: a host without updates (tests of the sign-in): nothing is installed to update. */
  platform: UpdatesPlatform | undefined;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  managedConfigFile?: string;
  managedConfigWins: boolean;
  /** What a restart must wait for (the running session answers). */
  pendingActivity: () => PendingActivity | undefined;
  /**
   * How the feed is reached: the host's transport for UPDATE_FEED_URL (`fetchFor('UPDATE_FEED_URL')`),
   * the one every other request of the app goes through (proxy, PAC, the certificate store).
   */
  fetch: UpdateTransport;
  log: Logger;
}

/** The version a host without an updates platform reports (it has no app around it). */
export const UNKNOWN_VERSION = '0.0.0';

/** Builds the host's UpdateService and starts its automatic checks (none when updates are off). */
export function createHostUpdates(options: HostUpdatesOptions): UpdateService {
  const { platform } = options;
  const { setup, settings } = loadUpdateSetup({
    env: options.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.managedConfigFile === undefined
      ? {}
      : { managedConfigFile: options.managedConfigFile }),
    managedConfigWins: options.managedConfigWins,
    ...(platform?.appUpdateYml === undefined ? {} : { appUpdateYml: platform.appUpdateYml }),
    ...(platform?.buildPublicKey === undefined ? {} : { buildPublicKey: platform.buildPublicKey }),
  });
  if (setup.kind === 'misconfigured')
    options.log.warn('updates are off: a setting cannot be used', {
      setting: setup.setting,
      message: setup.message,
    });
  const executor = new UpdateHttpExecutor(options.fetch);
  let updater: AppUpdater | undefined;
  const service = new UpdateService({
    setup,
    settings,
    install: platform?.install ?? 'not-installed',
    currentVersion: platform?.currentVersion ?? UNKNOWN_VERSION,
    channelFile: platform?.channelFile ?? 'latest.yml',
    createUpdater: (feedUrl) => {
      if (!platform) throw new Error('this host has no platform updater');
      updater = platform.createUpdater(feedUrl, executor);
      return updater;
    },
    executor,
    userDataPath: platform?.userDataPath ?? '',
    installNow: (version) => {
      if (!updater) throw new Error('nothing was downloaded');
      platform?.installNow(updater, version);
    },
    pendingActivity: options.pendingActivity,
    log: options.log,
    ...(platform?.firstCheckAfterMs === undefined
      ? {}
      : { firstCheckAfterMs: platform.firstCheckAfterMs }),
    ...(platform?.restartPollMs === undefined ? {} : { restartPollMs: platform.restartPollMs }),
  });
  if (platform) service.onChange((view) => platform.emit(view));
  service.start();
  return service;
}
