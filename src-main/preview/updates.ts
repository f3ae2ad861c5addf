/**
 * Updates in the preview (issue 20): the same UpdateService, settings and electron-updater platform
 * updater as the Electron app, against the feed UPDATE_FEED_URL names (UPDATE_PUBLIC_KEY from the
 * environment: the preview has no build key), so Settings → Updates shows and does what the app
 * does. The preview stands in for an installed app: electron-updater's NsisUpdater (the one whose
 * download needs no installed file to start from) downloads into `<data folder>/cache`, and the
 * install step, which would quit the app and run the installer, is recorded instead
 * (`/__preview/installs` in capture mode) and logged.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { UpdateView } from '../../src-preload/contract.ts';
import { APP_NAME } from '../../src-preload/app-name.ts';
import type { Logger } from '../core/platform.ts';
import {
  channelFileFor,
  createPlatformUpdater,
  createUpdaterApp,
  ensureUpdaterConfig,
} from '../core/updates/update-platform.ts';
import type { UpdatesPlatform } from '../core/updates/updates.ts';

/** The download cache's folder name under `<data folder>/cache` (electron-updater's updaterCacheDirName). */
export const PREVIEW_UPDATER_CACHE = 'preview-updater';

/** package.json's version: what the app reports as its own. */
export function packageVersion(): string {
  const file = path.join(import.meta.dirname, '..', '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

export interface PreviewUpdatesOptions {
  dataDir: string;
  /** The version the preview reports (default: package.json's). */
  version?: string;
  emit: (view: UpdateView) => void;
  /** "Restart to update" went ahead: the version that would be installed now. */
  installed: (version: string) => void;
  log?: Logger;
  /** How often a waiting restart asks again (default 1 s). */
  restartPollMs?: number;
}

export function previewUpdates(options: PreviewUpdatesOptions): UpdatesPlatform {
  const version = options.version ?? packageVersion();
  const log = options.log ?? { info() {}, warn() {}, error() {} };
  return {
    install: 'nsis',
    currentVersion: version,
    channelFile: channelFileFor(process.platform, process.arch),
    userDataPath: options.dataDir,
    emit: options.emit,
    ...(options.restartPollMs === undefined ? {} : { restartPollMs: options.restartPollMs }),
    createUpdater: (feedUrl, executor) =>
      createPlatformUpdater({
        kind: 'nsis',
        app: createUpdaterApp({
          version,
          name: APP_NAME,
          userDataPath: options.dataDir,
          baseCachePath: path.join(options.dataDir, 'cache'),
          appUpdateConfigPath: ensureUpdaterConfig(
            path.join(options.dataDir, 'update-config.yml'),
            PREVIEW_UPDATER_CACHE,
          ),
          quit: () => {},
          relaunch: () => {},
          onQuit: () => {},
        }),
        feedUrl,
        executor,
        log,
      }),
    installNow: (_updater, next) => {
      log.info('update: the preview records the install instead of quitting', { version: next });
      options.installed(next);
    },
  };
}
