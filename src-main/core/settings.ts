/**
 * Where each setting comes from, first match wins:
 *
 *   1. the environment (and `.env` in development)       read-only in the UI
 *   2. a managed `app-config.json` shipped in an installer   read-only in the UI
 *   3. the settings saved from the Settings page
 *   4. the built-in demo provider
 *
 * In a packaged app 1 and 2 swap (`order: 'managed-first'`): an organisation's file is the one thing
 * a user's shell or a writable `<userData>/.env` must not override, so the environment only fills in
 * what the managed file leaves unset.
 *
 * Values from every layer go through the same parser (config.ts). The saved settings hold no secret
 * in clear (a public client has none): a provider choice and the values, as typed. `PROXY` (issue 18)
 * is one of them: `system` (the OS's or the environment's proxy settings), `none`, or a proxy URL,
 * saved without its `user:password@`, which is sealed with the vault's cipher (saveSettings).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  SETTING_NAMES,
  type SettingName,
  type SettingSource,
  type SettingsForm,
  type SettingsView,
} from '../../src-preload/contract.ts';
import {
  ConfigError,
  MANAGED_UPDATE_SETTING_NAMES,
  parseBoolean,
  type Settings,
  type UpdateSettings,
} from './config.ts';
import { joinProxyCredentials, splitProxyCredentials } from './network/proxy-settings.ts';
import type { Cipher, KeyValueStore, Logger } from './platform.ts';

export const SAVED_SETTINGS_KEY = 'settings';

/** The layers, before precedence. `saved` is undefined when nothing was ever saved. */
export interface SettingsLayers {
  environment: Settings;
  managed: Settings;
  saved: SettingsForm | undefined;
  /** `managed-first` in a packaged app: the organisation's file wins over the environment. */
  order?: 'environment-first' | 'managed-first';
}

/** What the app runs on, after precedence. */
export interface ResolvedSettings {
  form: SettingsForm;
  sources: SettingsView['sources'];
  /**
   * `demo`: the devstack, with `settings` carrying AUTH0_CALLBACK_PORTS / AUTH0_DPOP /
   * AUTH0_REDIRECT_SCHEME if set.
   */
  provider: SettingsForm['provider'];
  settings: Settings;
}

const savedSchema = z.object({
  version: z.literal(1),
  provider: z.enum(['demo', 'tenant']),
  values: z.record(z.string(), z.string().max(500)),
  /** PROXY's `user:password`, sealed with the vault's cipher (never in clear on disk). */
  proxyCredentials: z.string().max(4096).optional(),
});

/** The saved settings, or undefined (none, or a record this version cannot read: reported, ignored). */
export function readSavedSettings(store: KeyValueStore, log?: Logger): SettingsForm | undefined {
  const stored = store.get(SAVED_SETTINGS_KEY);
  if (stored === undefined) return undefined;
  const parsed = savedSchema.safeParse(stored);
  if (!parsed.success) {
    log?.warn('saved settings unreadable; ignored');
    return undefined;
  }
  return { provider: parsed.data.provider, values: pick(parsed.data.values) };
}

/**
 * Writes the form. A proxy URL is written without its `user:password@`: `sealedProxyCredentials`
 * (the cipher's ciphertext of them) is the only form they take on disk, and without it they are not
 * written at all.
 */
export function writeSavedSettings(
  store: KeyValueStore,
  form: SettingsForm,
  sealedProxyCredentials?: string,
): void {
  const { AUTH0_REDIRECT_SCHEME: _scheme, ...values } = pick(form.values);
  if (values.PROXY !== undefined) values.PROXY = splitProxyCredentials(values.PROXY).proxy;
  store.set(SAVED_SETTINGS_KEY, {
    version: 1,
    provider: form.provider,
    values,
    ...(sealedProxyCredentials === undefined ? {} : { proxyCredentials: sealedProxyCredentials }),
  });
}

/**
 * Saves the form with PROXY's credentials sealed by `cipher` (the vault's: safeStorage in Electron).
 * Where the OS offers no encryption they are kept for this run only (the host holds the form), never
 * written in clear.
 */
export async function saveSettings(
  store: KeyValueStore,
  cipher: Cipher,
  form: SettingsForm,
  log?: Logger,
): Promise<void> {
  const { credentials } = splitProxyCredentials(form.values.PROXY ?? '');
  let sealed: string | undefined;
  if (credentials) {
    if (await cipher.isAvailable()) sealed = await cipher.encrypt(credentials);
    else
      log?.warn(
        'the proxy password is kept for this run only: the system offers no encryption to save it with',
      );
  }
  writeSavedSettings(store, form, sealed);
}

/**
 * The saved settings with PROXY's credentials unsealed and put back. Credentials that cannot be
 * unsealed (another key, tampered) are dropped: the proxy then asks again, and its 407 says where to
 * put them.
 */
export async function loadSavedSettings(
  store: KeyValueStore,
  cipher: Cipher,
  log?: Logger,
): Promise<SettingsForm | undefined> {
  const saved = readSavedSettings(store, log);
  const sealed = savedSchema.safeParse(store.get(SAVED_SETTINGS_KEY)).data?.proxyCredentials;
  const proxy = saved?.values.PROXY;
  if (saved === undefined || sealed === undefined || proxy === undefined) return saved;
  try {
    const credentials = await cipher.decrypt(sealed);
    return {
      ...saved,
      values: { ...saved.values, PROXY: joinProxyCredentials(proxy, credentials) },
    };
  } catch {
    log?.warn('the saved proxy password cannot be decrypted; it is not used');
    return saved;
  }
}

/** The settings the Settings page may not set: the app link's scheme (build- or managed-only, N5). */
export const NOT_FROM_THE_FORM = ['AUTH0_REDIRECT_SCHEME'] as const;

/**
 * Why a form from the renderer is refused: it tries to set the app link's scheme to something other
 * than what the build or the organisation set. The page never shows that field.
 */
export function formRefusal(form: SettingsForm, resolved: ResolvedSettings): string | undefined {
  for (const name of NOT_FROM_THE_FORM) {
    const value = form.values[name]?.trim();
    if (value && value.toLowerCase() !== (resolved.form.values[name] ?? '').toLowerCase())
      return `App link scheme: set by the app's build or your organisation's app-config.json (${name}), not in Settings.`;
  }
  return undefined;
}

/**
 * The managed file an organisation ships (electron-builder `extraResources` → next to the app's
 * resources): a JSON object with the same names as the environment, e.g.
 * `{ "AUTH0_DOMAIN": "corp.eu.auth0.com", "AUTH0_CLIENT_ID": "…", "AUTH0_CALLBACK_PORTS": "53682" }`.
 * No file: no managed settings. A file that is not such an object is a ConfigError naming it, which
 * the app shows on its "not configured" page (it is the organisation's to fix, not the user's).
 */
export function readManagedSettings(file: string | undefined): Settings & UpdateSettings {
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(
      file,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(file, 'is not JSON.');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new ConfigError(file, 'must be a JSON object of settings.');
  const settings: Settings & UpdateSettings = {};
  // The administrator's update settings (AUTO_UPDATE, UPDATE_FEED_URL) live in the same file.
  const known: readonly string[] = [...SETTING_NAMES, ...MANAGED_UPDATE_SETTING_NAMES];
  for (const [name, value] of Object.entries(data)) {
    if (name === 'UPDATE_PUBLIC_KEY')
      throw new ConfigError(
        file,
        '"UPDATE_PUBLIC_KEY" is the build\'s (the key its updates are signed with), not a managed setting.',
      );
    // The organisation's policy (ALLOW_DEMO_PROVIDER) is read by readManagedPolicy.
    if ((MANAGED_POLICY_NAMES as readonly string[]).includes(name)) continue;
    if (!known.includes(name))
      throw new ConfigError(file, `"${name}" is not a setting (${known.join(', ')}).`);
    const text =
      typeof value === 'string'
        ? value
        : typeof value === 'boolean' || typeof value === 'number'
          ? String(value)
          : Array.isArray(value)
            ? value.join(',')
            : undefined;
    if (text === undefined) throw new ConfigError(name, `in ${file} must be a string.`);
    if (text.trim()) settings[name as SettingName | keyof UpdateSettings] = text.trim();
  }
  return settings;
}

/** Keys of app-config.json that are the organisation's policy, not settings (readManagedPolicy). */
export const MANAGED_POLICY_NAMES = ['ALLOW_DEMO_PROVIDER'] as const;

export interface ManagedPolicy {
  /** `ALLOW_DEMO_PROVIDER` (default true): false switches the built-in demo provider off. */
  allowDemoProvider: boolean;
}

/** The organisation's policy from the same app-config.json; a bad value is a ConfigError naming it. */
export function readManagedPolicy(file: string | undefined): ManagedPolicy {
  if (!file) return { allowDemoProvider: true };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // Missing or broken: readManagedSettings reports it.
    return { allowDemoProvider: true };
  }
  const value = (data as Record<string, unknown> | null)?.ALLOW_DEMO_PROVIDER;
  if (value === undefined) return { allowDemoProvider: true };
  if (typeof value !== 'boolean' && typeof value !== 'string')
    throw new ConfigError('ALLOW_DEMO_PROVIDER', `in ${file} must be true or false.`);
  return { allowDemoProvider: parseBoolean('ALLOW_DEMO_PROVIDER', String(value), true) };
}

/**
 * Precedence, setting by setting. The provider is the tenant when the environment or the managed
 * file names a domain (read-only then), else what was saved, else the demo provider.
 */
export function resolveSettings(layers: SettingsLayers): ResolvedSettings {
  const values: Partial<Record<SettingName, string>> = {};
  const sources: SettingsView['sources'] = { provider: 'default' };
  const saved = layers.saved?.values ?? {};
  for (const name of SETTING_NAMES) {
    const fixed: Array<[SettingSource, string | undefined]> = [
      ['environment', layers.environment[name]],
      ['managed', layers.managed[name]],
    ];
    if (layers.order === 'managed-first') fixed.reverse();
    // The app link's scheme is the build's or the organisation's (N5): never saved from the form,
    // and in a packaged app not from the environment either.
    const found: Array<[SettingSource, string | undefined]> =
      name === 'AUTH0_REDIRECT_SCHEME'
        ? fixed.filter(([source]) => layers.order !== 'managed-first' || source === 'managed')
        : [...fixed, ['saved', saved[name]]];
    const hit = found.find(([, value]) => value !== undefined && value !== '');
    if (hit) {
      values[name] = hit[1]!;
      sources[name] = hit[0];
    }
  }
  let provider: SettingsForm['provider'] = 'demo';
  if (sources.AUTH0_DOMAIN === 'environment' || sources.AUTH0_DOMAIN === 'managed') {
    provider = 'tenant';
    sources.provider = sources.AUTH0_DOMAIN;
  } else if (layers.saved) {
    provider = layers.saved.provider;
    sources.provider = 'saved';
  }
  // PROXY is how requests travel, not where they go: the host applies it to its transport, and a
  // change of it is no switch of provider (the session stays).
  const { PROXY: _proxy, ...providerValues } = values;
  const settings: Settings =
    provider === 'tenant'
      ? providerValues
      : // The demo provider has its own domain, client and API; ports, DPoP and the scheme may still be set.
        Object.fromEntries(
          (['AUTH0_CALLBACK_PORTS', 'AUTH0_DPOP', 'AUTH0_REDIRECT_SCHEME', 'MAX_ACCOUNTS'] as const)
            .filter((name) => sources[name] === 'environment' || sources[name] === 'managed')
            .map((name) => [name, values[name]]),
        );
  return { form: { provider, values }, sources, provider, settings };
}

/**
 * What a running session is bound to: the provider and its settings (PROXY is not one of them).
 * Saving settings with another key is a switch, which ends the session; saving the same key (only
 * the proxy changed) keeps it.
 */
export function sessionKey(resolved: Pick<ResolvedSettings, 'provider' | 'settings'>): string {
  return JSON.stringify([resolved.provider, resolved.settings]);
}

/** A form as the person may change it: values from the environment or the managed file win. */
export function withLockedValues(form: SettingsForm, resolved: ResolvedSettings): SettingsForm {
  const values = { ...form.values };
  for (const name of SETTING_NAMES) {
    if (isLocked(resolved.sources[name])) values[name] = resolved.form.values[name];
  }
  return {
    provider: isLocked(resolved.sources.provider) ? resolved.provider : form.provider,
    values: pick(values),
  };
}

export function isLocked(source: SettingSource | undefined): boolean {
  return source === 'environment' || source === 'managed';
}

/** Only known settings, trimmed, empty ones dropped. */
function pick(values: Record<string, string | undefined>): Partial<Record<SettingName, string>> {
  const picked: Partial<Record<SettingName, string>> = {};
  for (const name of SETTING_NAMES) {
    const value = values[name]?.trim();
    if (value) picked[name] = value;
  }
  return picked;
}
