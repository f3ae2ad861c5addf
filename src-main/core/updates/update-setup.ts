/**
 * Where the update settings come from and what they amount to (issue 20), before anything is asked
 * of a feed:
 *
 *   AUTO_UPDATE, UPDATE_FEED_URL   an administrator's: the environment and the managed
 *                                  app-config.json, in the order the sign-in settings use (a packaged
 *                                  app: the managed file first; development: the environment first);
 *                                  the feed may also come with the build (electron-builder's
 *                                  `publish: generic`, written to resources/app-update.yml)
 *   UPDATE_PUBLIC_KEY              the build's; the environment only when the build has none
 *                                  (development and tests). Never the managed file: whoever could
 *                                  change that file must not choose whose updates are trusted.
 *
 * `AUTO_UPDATE=false` wins over everything: no feed is asked anything. Without a feed, or without a
 * key to check the feed's signature with, updates are "not set up": an unsigned update is never
 * offered, so a feed without a key is no feed.
 */
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { load } from 'js-yaml';
import {
  ConfigError,
  parseUpdateConfig,
  readUpdateSettings,
  type UpdateSettingName,
  type UpdateSettings,
} from '../config.ts';
import { readManagedSettings } from '../settings.ts';
import type { UpdateSettingSource, UpdateSettingView } from '../../../src-preload/contract.ts';

export type { UpdateSettingSource };

export interface UpdateLayers {
  environment: UpdateSettings;
  managed: UpdateSettings;
  /** What the build carries: its publish feed and the public key it was built with. */
  build: Pick<UpdateSettings, 'UPDATE_FEED_URL' | 'UPDATE_PUBLIC_KEY'>;
}

export type UpdateSetup =
  | { kind: 'off'; source: 'environment' | 'managed' }
  | { kind: 'not-set-up'; missing: 'UPDATE_FEED_URL' | 'UPDATE_PUBLIC_KEY' }
  | { kind: 'misconfigured'; setting: string; message: string }
  | {
      kind: 'on';
      feedUrl: URL;
      publicKey: KeyObject;
      sources: Partial<Record<UpdateSettingName, UpdateSettingSource>>;
    };

/** The update settings after precedence, each with where it comes from. */
export interface ChosenUpdateSettings {
  values: UpdateSettings;
  sources: Partial<Record<UpdateSettingName, UpdateSettingSource>>;
}

/**
 * Precedence: `order` as for the sign-in settings (settings.ts: `managed-first` in a packaged app)
 * for the administrator's two; the feed may also come with the build, the key only with the build
 * or (when it has none) the environment.
 */
export function chooseUpdateSettings(
  layers: UpdateLayers,
  options: { order: 'environment-first' | 'managed-first' },
): ChosenUpdateSettings {
  const administrator: Array<['environment' | 'managed', UpdateSettings]> =
    options.order === 'managed-first'
      ? [
          ['managed', layers.managed],
          ['environment', layers.environment],
        ]
      : [
          ['environment', layers.environment],
          ['managed', layers.managed],
        ];
  const sources: Partial<Record<UpdateSettingName, UpdateSettingSource>> = {};
  const pick = (
    name: UpdateSettingName,
    order: Array<[UpdateSettingSource, UpdateSettings]>,
  ): string | undefined => {
    for (const [source, settings] of order) {
      const value = settings[name]?.trim();
      if (value) {
        sources[name] = source;
        return value;
      }
    }
    return undefined;
  };
  const values: UpdateSettings = {
    AUTO_UPDATE: pick('AUTO_UPDATE', administrator),
    UPDATE_FEED_URL: pick('UPDATE_FEED_URL', [...administrator, ['build', layers.build]]),
    UPDATE_PUBLIC_KEY: pick('UPDATE_PUBLIC_KEY', [
      ['build', layers.build],
      ['environment', layers.environment],
    ]),
  };
  return { values, sources };
}

/** The administrator's settings in use, as Settings → Updates shows them (read-only, with source). */
export function shownUpdateSettings(chosen: ChosenUpdateSettings): UpdateSettingView[] {
  const shown: UpdateSettingView[] = [];
  for (const name of ['AUTO_UPDATE', 'UPDATE_FEED_URL'] as const) {
    const value = chosen.values[name];
    const source = chosen.sources[name];
    if (value && source) shown.push({ name, value, source });
  }
  return shown;
}

/** The update settings after precedence, validated by config.ts's parser (messages name the setting). */
export function resolveUpdateSetup(
  layers: UpdateLayers,
  options: { order: 'environment-first' | 'managed-first' },
): UpdateSetup {
  return setupOf(chooseUpdateSettings(layers, options));
}

function setupOf({ values: chosen, sources }: ChosenUpdateSettings): UpdateSetup {
  let config;
  try {
    // The switch first: turned off, nothing else needs to be right.
    if (!parseUpdateConfig({ AUTO_UPDATE: chosen.AUTO_UPDATE }).autoUpdate)
      return { kind: 'off', source: sources.AUTO_UPDATE === 'managed' ? 'managed' : 'environment' };
    config = parseUpdateConfig(chosen);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Nothing is asked of a feed then either (a bad AUTO_UPDATE did not mean "on").
    return { kind: 'misconfigured', setting: error.setting, message: error.message };
  }
  if (!config.feedUrl) return { kind: 'not-set-up', missing: 'UPDATE_FEED_URL' };
  if (!config.publicKey) return { kind: 'not-set-up', missing: 'UPDATE_PUBLIC_KEY' };
  return { kind: 'on', feedUrl: config.feedUrl, publicKey: config.publicKey, sources };
}

/**
 * The feed a release build carries: electron-builder writes its `publish` configuration to
 * resources/app-update.yml. Only the `generic` provider is used here; no file, another provider or
 * an unreadable file: none.
 */
export function readBuildFeed(appUpdateYml: string | undefined): string | undefined {
  if (!appUpdateYml) return undefined;
  let data: unknown;
  try {
    data = load(readFileSync(appUpdateYml, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { provider, url } = data as Record<string, unknown>;
  return provider === 'generic' && typeof url === 'string' && url.trim() ? url.trim() : undefined;
}

export interface UpdateSetupSources {
  /** The process environment; `cwd`: where a `.env` is read from (config-sources.ts). */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** The organisation's app-config.json (the same file the sign-in settings come from). */
  managedConfigFile?: string;
  /** A packaged app: the managed file wins over the environment and `.env`. */
  managedConfigWins: boolean;
  /** electron-builder's resources/app-update.yml, when the build has a publish feed. */
  appUpdateYml?: string;
  /** The public key the build was made with (UPDATE_PUBLIC_KEY at build time). */
  buildPublicKey?: string;
}

/** What a host starts updates with: the setup, and the administrator's settings to show. */
export interface LoadedUpdateSetup {
  setup: UpdateSetup;
  settings: UpdateSettingView[];
}

/** Reads every source and resolves them: what a host calls at start. Never throws. */
export function loadUpdateSetup(sources: UpdateSetupSources): LoadedUpdateSetup {
  let managed: UpdateSettings;
  try {
    managed = readManagedSettings(sources.managedConfigFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      setup: { kind: 'misconfigured', setting: error.setting, message: error.message },
      settings: [],
    };
  }
  const chosen = chooseUpdateSettings(
    {
      environment: readUpdateSettings(sources.env, sources.cwd),
      managed: { AUTO_UPDATE: managed.AUTO_UPDATE, UPDATE_FEED_URL: managed.UPDATE_FEED_URL },
      build: {
        UPDATE_FEED_URL: readBuildFeed(sources.appUpdateYml),
        UPDATE_PUBLIC_KEY: sources.buildPublicKey,
      },
    },
    { order: sources.managedConfigWins ? 'managed-first' : 'environment-first' },
  );
  return { setup: setupOf(chosen), settings: shownUpdateSettings(chosen) };
}
