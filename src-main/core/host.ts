/**
 * The core host: what the Electron shell and the preview register behind their bridges. It owns the
 * settings (settings.ts: environment > managed file > saved > demo), runs one core for the provider
 * they name, and on Settings → Save swaps that core for one on the new provider without restarting
 * the app: the session is ended locally and its refresh token revoked at the old provider (no
 * browser), the settings are saved, the old provider's devstack (if any) stops, the new core starts.
 *
 * A value the app cannot use (a bad environment variable, a broken managed file) does not stop the
 * app: it runs "not configured", every session request answers with the reason, and the Settings
 * page says which setting is wrong and where it comes from.
 */
import {
  SETTING_LABELS,
  SETTING_NAMES,
  type AppError,
  type Channel,
  type ChannelArgs,
  type ChannelResponses,
  type FormCheck,
  type ProviderInfo,
  type SessionView,
  type SettingName,
  type SettingsForm,
  type SettingsView,
} from '../../src-preload/contract.ts';
import { parseRequest } from '../../src-preload/contract-validators.ts';
import { ConfigError, readSettings, validateSettings, type AppConfig } from './config.ts';
import { checkConnection, proxySettingsLine } from './connection-check.ts';
import { demoAddressesIn, pointsAtDemo } from './demo-addresses.ts';
import { ERROR_SENTENCES } from './errors.ts';
import {
  createAuthCore,
  type AuthCore,
  type ChannelResponse,
  type SessionChannel,
  type SettingsChannel,
  type UpdatesChannel,
} from './auth-core.ts';
import { parseProxySetting, type ProxySetting } from './network/proxy-settings.ts';
import { replaceableTransport, type Transport } from './network/transport.ts';
import { keepLoopbackOffProxies } from './no-proxy.ts';
import type { CorePlatform, KeyValueStore, Logger } from './platform.ts';
import { configureTenant, startDemoProvider, type Configured } from './providers.ts';
import { redactingLogger } from './redact.ts';
import { registrationFor } from './registration.ts';
import type { SessionOptions } from './session.ts';
import type { UpdateService } from './updates/update-service.ts';
import { createHostUpdates, type UpdatesPlatform } from './updates/updates.ts';
import {
  formRefusal,
  isLocked,
  readManagedPolicy,
  readManagedSettings,
  loadSavedSettings,
  resolveSettings,
  sessionKey,
  withLockedValues,
  saveSettings,
  type ManagedPolicy,
  type ResolvedSettings,
  type SettingsLayers,
} from './settings.ts';

export const DEMO_LABEL = 'Built-in demo provider';
export const NOT_CONFIGURED_LABEL = 'Not configured';
/** What the app says when an organisation switched the demo provider off and nothing else is set. */
export const DEMO_SWITCHED_OFF =
  'Your organisation has switched off the built-in demo provider: in Settings, fill in Your Auth0 tenant (or ask your IT team for the app’s settings).';

export interface CoreHostOptions {
  /** The environment (AUTH0_*, DEVSTACK_*). */
  env: NodeJS.ProcessEnv;
  /** Where a `.env` is looked for (development). */
  cwd?: string;
  /** The managed `app-config.json` (next to the app's resources; PREVIEW_APP_CONFIG in the preview). */
  managedConfigFile?: string;
  /**
   * A packaged app: the managed file wins over the environment and `.env` (which then only fill in
   * what it leaves unset), so nothing a user's shell sets overrides the organisation's settings.
   */
  managedConfigWins?: boolean;
  /** The demo provider's state folder. */
  devstackDataDir?: string;
  /** The core's platform (its transport aside); `store` holds the vault. */
  platform: Omit<CorePlatform, 'transport'>;
  /**
   * The transport for a proxy setting: Electron's over `net.fetch`, the Node transport in the preview
   * and tests. Every request of every core, and Check connection's, goes through it. `check`: one
   * for a single Check connection with the proxy as typed, closed after it (it must not change the
   * proxy of the app's own requests).
   */
  transportFor(proxy: ProxySetting, purpose?: 'requests' | 'check'): Transport;
  /** Where the Settings page's settings are saved (no secrets in them). */
  settingsStore: KeyValueStore;
  session?: SessionOptions;
  /** Starts the demo provider; default: the devstack (tests may pass another). */
  startDemo?: typeof startDemoProvider;
  /**
   * Asks the person, outside the renderer, whether Save may switch to another provider or API (N5):
   * Electron a main-process dialog, the preview a page of its own. Absent: no confirmation (tests
   * that drive the core host directly).
   */
  confirmSwitch?: (change: ProviderSwitch) => Promise<boolean>;
  /**
   * What updates need from the host's app (issue 20): its version, its kind of installation, the
   * platform updater. Absent: nothing to update (Settings → Updates still says why).
   */
  updates?: UpdatesPlatform;
}

/** What a Save would switch to, as the confirmation names it. */
export type ProviderSwitch =
  { kind: 'demo'; label: string } | { kind: 'tenant'; issuerHost: string; apiOrigin: string };

export interface CoreHost {
  /** One request from the renderer: validated, never throws, never returns a token. */
  handle(channel: unknown, args: unknown): Promise<ChannelResponse>;
  /** The session as the renderer may see it, with the provider in use. */
  view(): SessionView;
  /** The running core; undefined while not configured. */
  readonly core: AuthCore | undefined;
  /** The active provider's config; undefined while not configured. */
  readonly config: AppConfig | undefined;
  /** Log lines about the active provider (or why there is none). */
  readonly summary: string;
  /** Updates (issue 20): checks, downloads, and restarts when no sign-in or logout is pending. */
  readonly updates: UpdateService;
  /** Reads the vault of the running core (at start). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Active {
  core: AuthCore | undefined;
  configured: Configured | undefined;
  provider: ProviderInfo;
  problem: AppError | undefined;
  /** Identifies the provider + settings, to skip a switch that changes nothing. */
  key: string;
}

/** The host's own handlers: one per Settings channel, each answering that channel's response type. */
type SettingsHandlers = {
  [C in SettingsChannel]: (...args: ChannelArgs<C>) => Promise<ChannelResponses[C]>;
};

/** The host's update handlers: one per `updates:*` channel. */
type UpdatesHandlers = { [C in UpdatesChannel]: () => ChannelResponses[C] };

export async function startCoreHost(options: CoreHostOptions): Promise<CoreHost> {
  // Before the first request: no loopback call goes through a proxy the environment names (N8).
  keepLoopbackOffProxies();
  const log = redactingLogger(options.platform.log ?? { info() {}, warn() {}, error() {} });
  const startDemo = options.startDemo ?? startDemoProvider;
  const layers: SettingsLayers = {
    environment: readSettings(options.env, options.cwd),
    managed: {},
    saved: undefined,
    order: options.managedConfigWins ? 'managed-first' : 'environment-first',
  };
  let managedProblem: ConfigError | undefined;
  let policy: ManagedPolicy = { allowDemoProvider: true };
  try {
    layers.managed = readManagedSettings(options.managedConfigFile);
    policy = readManagedPolicy(options.managedConfigFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    managedProblem = error;
  }
  layers.saved = await loadSavedSettings(options.settingsStore, options.platform.cipher, log);
  let resolved = resolveSettings(layers);
  /**
   * Why the system's proxy settings as the host reads them (the environment's HTTPS_PROXY…, in the
   * preview) cannot be used, once a transport for them was made and they could not.
   */
  let systemProxyProblem: string | undefined;
  /** The PROXY value the transport was made for (Settings → Network). */
  let proxyInUse = resolved.form.values.PROXY;
  const transport = replaceableTransport(transportFor(proxyInUse));
  /** The host's transport for a PROXY value; an unusable one is logged and requests go direct. */
  function transportFor(
    proxy: string | undefined,
    purpose: 'requests' | 'check' = 'requests',
  ): Transport {
    let setting: ProxySetting;
    try {
      setting = parseProxySetting(proxy);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      log.error('the proxy setting cannot be used; requests go direct', { message: error.message });
      setting = { kind: 'none' };
    }
    const made = transportOrDirect(options, setting, log, purpose);
    if (setting.kind === 'system') systemProxyProblem = made.problem;
    return made.transport;
  }
  /** The environment's proxy problem, when `form` uses the system's settings (PROXY unset or system). */
  function networkProblemFor(form: SettingsForm): string | undefined {
    const proxy = form.values.PROXY?.trim().toLowerCase();
    return proxy === undefined || proxy === '' || proxy === 'system'
      ? systemProxyProblem
      : undefined;
  }
  /** After a Save: a new PROXY takes effect at the next request, in the running core too. */
  async function applyProxy(next: ResolvedSettings): Promise<void> {
    const proxy = next.form.values.PROXY;
    if (proxy === proxyInUse) return;
    proxyInUse = proxy;
    await transport.replace(transportFor(proxy));
    log.info('proxy setting changed', { proxy: proxy ?? 'system' });
  }
  let active: Active;
  /**
   * The built-in demo provider left running after a switch to settings that point at it (its
   * addresses typed as a tenant): stopping it would break the provider just chosen. Stopped at the
   * next switch that no longer points at it, and at close.
   */
  let keptDemo: Configured | undefined;
  /** The demo provider running now, whether it is the active one or one kept for the active settings. */
  const runningDemo = (): Configured | undefined =>
    active.provider.kind === 'demo' ? active.configured : keptDemo;
  /** Requests wait while the core is being swapped. */
  let switching: Promise<void> = Promise.resolve();
  /** Check connection runs one at a time. */
  let checking = false;
  // One update service for the app's life, whichever provider runs: a restart waits for the
  // running session's sign-in, sign-in code or logout.
  const updates = createHostUpdates({
    platform: options.updates,
    env: options.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.managedConfigFile === undefined
      ? {}
      : { managedConfigFile: options.managedConfigFile }),
    managedConfigWins: options.managedConfigWins === true,
    // Asked only once an update is ready, long after the first core is active.
    pendingActivity: () => active.core?.session.pendingActivity(),
    // The feed through the same transport as the provider and the API (Settings → Network applies).
    fetch: transport.fetchFor('UPDATE_FEED_URL'),
    log,
  });

  /**
   * The one place a session view for the renderer is built: the core's view plus the provider it
   * talks to. Events, `session:get` and every answer that carries a session go through it, so the
   * footer never loses its "Identity provider" line.
   */
  const present = (view: SessionView, provider = active.provider): SessionView => ({
    ...view,
    provider,
  });

  async function activate(next: ResolvedSettings): Promise<Active> {
    const key = sessionKey(next);
    if (managedProblem) return notConfigured(managedFileProblem(managedProblem), key);
    if (next.provider === 'demo' && !policy.allowDemoProvider)
      return notConfigured({ code: 'config_invalid', message: DEMO_SWITCHED_OFF }, key);
    let configured: Configured;
    try {
      configured =
        next.provider === 'tenant'
          ? configureTenant(next.settings)
          : await startDemo(options.env, next.settings, {
              ...(options.devstackDataDir === undefined
                ? {}
                : { devstackDataDir: options.devstackDataDir }),
              // Without OS encryption the demo provider keeps nothing on disk either (no live
              // refresh token in clear).
              cipher: options.platform.cipher,
            });
    } catch (error) {
      if (error instanceof ConfigError)
        return notConfigured(configProblem(error, next.sources), key);
      // The demo provider could not start (not a port clash: those fall back): say so, keep running.
      return notConfigured(
        {
          code: 'config_invalid',
          message: `The built-in demo provider could not start: ${error instanceof Error ? error.message : String(error)}`,
        },
        key,
      );
    }
    const provider: ProviderInfo =
      next.provider === 'tenant'
        ? { kind: 'tenant', label: configured.config.issuer.host, source: next.sources.provider }
        : { kind: 'demo', label: DEMO_LABEL, source: next.sources.provider };
    const core = createAuthCore(
      configured.config,
      {
        ...options.platform,
        transport,
        emit: (view) => {
          options.platform.emit(present(view, provider));
          // A sign-in or a logout may just have ended: a restart that waits for it goes now.
          updates.activityChanged();
        },
      },
      options.session,
    );
    return { core, configured, provider, problem: undefined, key };
  }

  function notConfigured(problem: AppError, key: string): Active {
    log.error('not configured', { message: problem.message });
    return {
      core: undefined,
      configured: undefined,
      provider: { kind: 'none', label: NOT_CONFIGURED_LABEL },
      problem,
      key,
    };
  }

  active = await activate(resolved);

  function view(): SessionView {
    if (active.core) return present(active.core.view());
    return present({
      status: 'signed-out',
      persistence: 'encrypted',
      ...(active.problem ? { error: active.problem } : {}),
    });
  }

  function settingsView(): SettingsView {
    // Without the demo provider the form starts on the tenant, the only choice there is.
    const form: SettingsForm =
      !policy.allowDemoProvider && resolved.form.provider === 'demo'
        ? { ...resolved.form, provider: 'tenant' }
        : resolved.form;
    return {
      form,
      sources: resolved.sources,
      active: active.provider,
      ...(active.problem ? { problem: active.problem } : {}),
      ...formCheck(form),
      canSave: !managedProblem && !hasUnusableLockedValue(resolved),
      ...(policy.allowDemoProvider ? {} : { demoAllowed: false }),
    };
  }

  /** Saving settings with this session key switches the app (and ends the session). */
  function endsSession(key: string): boolean {
    return key !== active.key || !active.core;
  }

  /** The same parser as the environment; field messages by label. The demo needs no fields. */
  function formCheck(form: SettingsForm): FormCheck {
    // What Save will decide (save()): the page says before it whether this form signs you out.
    const saveEndsSession = endsSession(sessionKey(resolveSettings({ ...layers, saved: form })));
    const networkProblem = networkProblemFor(form);
    return { ...fieldCheck(form), saveEndsSession, ...(networkProblem ? { networkProblem } : {}) };
  }

  function fieldCheck(form: SettingsForm): Omit<FormCheck, 'saveEndsSession' | 'networkProblem'> {
    const network = proxyErrors(form);
    if (form.provider === 'demo')
      return { errors: network, registration: { callbackUrls: [], logoutUrls: [] } };
    const demo = runningDemo();
    const demoAddresses = demo ? demoAddressesIn(form, demo.config) : [];
    const advice = demoAddresses.length > 0 ? { demoAddresses } : {};
    const result = validateSettings(form.values, 'labels');
    if (result.ok)
      return { errors: network, registration: registrationFor(result.config), ...advice };
    return {
      errors: { ...result.errors, ...network },
      registration: partialRegistration(form),
      ...advice,
    };
  }

  async function save(requested: SettingsForm): Promise<ChannelResponses['settings:save']> {
    const refused = formRefusal(requested, resolved);
    if (refused) return { ok: false, error: { code: 'config_invalid', message: refused } };
    const form = withLockedValues(requested, resolved);
    if (form.provider === 'demo' && !policy.allowDemoProvider)
      return { ok: false, error: { code: 'config_invalid', message: DEMO_SWITCHED_OFF } };
    const proxyProblem = proxyErrors(form).PROXY;
    if (proxyProblem)
      return { ok: false, error: { code: 'config_invalid', message: proxyProblem } };
    let nextConfig: AppConfig | undefined;
    if (form.provider === 'tenant') {
      const result = validateSettings(form.values, 'labels');
      if (!result.ok)
        return { ok: false, error: { code: 'config_invalid', message: result.first.message } };
      nextConfig = result.config;
    }
    const next = resolveSettings({ ...layers, saved: form });
    // Another provider or API: the person confirms it outside the renderer first (N5).
    const change = switchOf(active, next.provider, nextConfig);
    if (change && options.confirmSwitch && !(await options.confirmSwitch(change)))
      return {
        ok: false,
        error: {
          code: 'switch_not_confirmed',
          message: `The switch was not confirmed: the app still uses ${active.provider.label}.`,
        },
      };
    const key = sessionKey(next);
    const previous = switching;
    let done!: () => void;
    switching = new Promise((resolve) => (done = resolve));
    await previous;
    try {
      if (endsSession(key)) {
        const old = active;
        const demo = runningDemo();
        // Ends the session here and at the old provider (best effort, bounded by its 10 s timeout).
        await old.core?.session.endForSwitch();
        await old.core?.close();
        const keep = demo && nextConfig && pointsAtDemo(nextConfig, demo.config) ? demo : undefined;
        for (const provider of new Set([old.configured, keptDemo])) {
          if (provider === undefined || provider === keep) continue;
          await provider
            .stop()
            .catch((error: unknown) =>
              log.warn('stopping the old provider failed', { message: messageOf(error) }),
            );
        }
        keptDemo = keep;
        if (keep)
          log.info('the built-in demo provider keeps running: the new settings point at it');
        await saveSettings(options.settingsStore, options.platform.cipher, form, log);
        layers.saved = form;
        resolved = next;
        await applyProxy(next);
        active = await activate(next);
        log.info('switched provider', { provider: active.provider.label });
        if (active.configured) log.info(active.configured.summary);
        await active.core
          ?.restore()
          .catch((error: unknown) =>
            log.error('restoring the session failed', { message: messageOf(error) }),
          );
        options.platform.emit(view());
      } else {
        await saveSettings(options.settingsStore, options.platform.cipher, form, log);
        layers.saved = form;
        resolved = next;
        await applyProxy(next);
      }
    } finally {
      done();
    }
    return { ok: true, settings: settingsView(), session: view() };
  }

  async function check(requested: SettingsForm): Promise<ChannelResponses['settings:check']> {
    const refused = formRefusal(requested, resolved);
    if (refused) return { ok: false, error: { code: 'config_invalid', message: refused } };
    const form = withLockedValues(requested, resolved);
    const proxyProblem = proxyErrors(form).PROXY;
    if (proxyProblem)
      return { ok: false, error: { code: 'config_invalid', message: proxyProblem } };
    let config: AppConfig;
    if (form.provider === 'demo') {
      if (active.provider.kind !== 'demo' || !active.configured) {
        return {
          ok: false,
          error: {
            code: 'invalid_request',
            message: 'The built-in demo provider starts when you save this choice; check it then.',
          },
        };
      }
      config = active.configured.config;
    } else {
      const result = validateSettings(form.values, 'labels');
      if (!result.ok)
        return { ok: false, error: { code: 'config_invalid', message: result.first.message } };
      config = result.config;
    }
    // One check at a time (N6): the check is not a tool to fire requests in parallel.
    if (checking)
      return {
        ok: false,
        error: {
          code: 'invalid_request',
          message: 'A connection check is already running: wait for its result.',
        },
      };
    checking = true;
    try {
      // The proxy as the form says it: Check connection tests the settings before they are saved.
      const via =
        form.values.PROXY === proxyInUse ? transport : transportFor(form.values.PROXY, 'check');
      const started = performance.now();
      try {
        const checks = await checkConnection(config, via);
        // The environment's proxy could not be used, so every line went direct: say why first.
        const problem = networkProblemFor(form);
        if (problem) checks.unshift(proxySettingsLine(problem));
        return { ok: true, checks, ms: Math.round(performance.now() - started) };
      } finally {
        if (via !== transport) await via.close();
      }
    } finally {
      checking = false;
    }
  }

  const settingsHandlers: SettingsHandlers = {
    'settings:get': async () => {
      await switching;
      return { ok: true, settings: settingsView() };
    },
    'settings:validate': async (form) => ({
      ok: true,
      ...formCheck(withLockedValues(form, resolved)),
    }),
    'settings:check': check,
    'settings:save': save,
  };

  const updatesHandlers: UpdatesHandlers = {
    'updates:get': () => ({ ok: true, updates: updates.view() }),
    'updates:check': () => {
      // What the check finds and the download's progress arrive as `updates:changed` events.
      void updates.check();
      return { ok: true, updates: updates.view() };
    },
    'updates:restart': () => {
      updates.restart();
      return { ok: true, updates: updates.view() };
    },
  };

  return {
    async handle(channel, args) {
      const request = parseRequest(channel, args);
      if (!request.ok) return { ok: false, error: request.error };
      try {
        if (isUpdatesChannel(request.channel)) return updatesHandlers[request.channel]();
        if (isSettingsChannel(request.channel)) {
          // The validators checked these arguments against the same channel's declared ones.
          const handler = settingsHandlers[request.channel] as (
            ...args: unknown[]
          ) => Promise<ChannelResponses[SettingsChannel]>;
          return await handler(...request.args);
        }
        await switching;
        if (request.channel === 'session:get') return view();
        if (!active.core)
          return {
            ok: false,
            error: active.problem ?? {
              code: 'config_invalid',
              message: 'The app is not configured.',
            },
          };
        // The provider of the core that answers (a sign-in may outlast a switch).
        const provider = active.provider;
        return withSessionPresented(
          await active.core.handle(request.channel, request.args),
          (view) => present(view, provider),
        );
      } catch (error) {
        log.error('handler failed', { channel: request.channel, message: messageOf(error) });
        return { ok: false, error: { code: 'internal', message: ERROR_SENTENCES.internal } };
      }
    },
    view,
    get core() {
      return active.core;
    },
    updates,
    get config() {
      return active.configured?.config;
    },
    get summary() {
      return (
        active.configured?.summary ??
        `Not configured: ${active.problem?.message ?? 'unknown reason'}`
      );
    },
    async restore() {
      await switching;
      await active.core?.restore();
    },
    async close() {
      updates.close();
      await switching;
      await active.core?.close();
      await active.configured?.stop();
      await keptDemo?.stop();
      await transport.close();
    },
  };
}

/** The Proxy field's message (Settings → Network), as the page shows field messages; none when usable. */
function proxyErrors(form: SettingsForm): SettingsView['errors'] {
  try {
    parseProxySetting(form.values.PROXY);
    return {};
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const label = SETTING_LABELS.PROXY;
    return {
      PROXY: /^(is|must) /.test(error.reason)
        ? `${label} ${error.reason}`
        : `${label}: ${error.reason}`,
    };
  }
}

/**
 * The host's transport for `proxy`; when the environment's proxy variables cannot be read (not a URL),
 * the reason is logged and requests go direct: never through a proxy nobody meant. `problem` says
 * so in the words Settings → Network and Check connection show.
 */
function transportOrDirect(
  options: Pick<CoreHostOptions, 'transportFor'>,
  proxy: ProxySetting,
  log: Pick<Logger, 'error'>,
  purpose: 'requests' | 'check',
): { transport: Transport; problem?: string } {
  try {
    return { transport: options.transportFor(proxy, purpose) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error('the proxy settings cannot be used; requests go direct', { message: error.message });
    return {
      transport: options.transportFor({ kind: 'none' }, purpose),
      problem: environmentProxyProblem(error),
    };
  }
}

/**
 * A proxy variable of the environment (`HTTPS_PROXY`, `http_proxy`…) the app cannot use, what is wrong
 * with it, and what the app does instead. The reason names the proxy's host at most, never its
 * credentials (parseProxyUrl).
 */
export function environmentProxyProblem(error: ConfigError): string {
  return `${error.setting} in the environment ${error.reason} Until it is fixed, the app uses no proxy: every request goes direct.`;
}

function isSettingsChannel(channel: Channel): channel is SettingsChannel {
  return channel.startsWith('settings:');
}

function isUpdatesChannel(channel: Channel): channel is UpdatesChannel {
  return channel.startsWith('updates:');
}

/** An answer that carries a session (`auth:login`, `auth:logout`, …) with that session presented. */
function withSessionPresented(
  answer: ChannelResponses[SessionChannel],
  present: (view: SessionView) => SessionView,
): ChannelResponses[SessionChannel] {
  if (!('session' in answer)) return answer;
  return { ...answer, session: present(answer.session) };
}

/** The provider or API a Save would switch to; undefined when both stay what they are. */
function switchOf(
  active: { provider: ProviderInfo; configured: Configured | undefined },
  nextProvider: SettingsForm['provider'],
  nextConfig: AppConfig | undefined,
): ProviderSwitch | undefined {
  if (nextProvider === 'demo')
    return active.provider.kind === 'demo' ? undefined : { kind: 'demo', label: DEMO_LABEL };
  if (!nextConfig) return undefined;
  const current = active.provider.kind === 'tenant' ? active.configured?.config : undefined;
  if (
    current &&
    current.issuer.href === nextConfig.issuer.href &&
    current.apiServerUrl.origin === nextConfig.apiServerUrl.origin
  )
    return undefined;
  return {
    kind: 'tenant',
    issuerHost: nextConfig.issuer.host,
    apiOrigin: nextConfig.apiServerUrl.origin,
  };
}

/**
 * A value the app cannot use, said once with where it comes from and what to do there (issue 22,
 * M4): a value from the environment or the managed file cannot be fixed on the Settings page.
 */
function configProblem(error: ConfigError, sources: SettingsView['sources']): AppError {
  const name = error.setting;
  const setting = (SETTING_NAMES as readonly string[]).includes(name)
    ? (name as SettingName)
    : undefined;
  // DEVSTACK_* and the like are environment variables too.
  const source = setting ? sources[setting] : 'environment';
  const label = setting ? SETTING_LABELS[setting] : name;
  const what =
    source === 'environment'
      ? `${name} is set in the environment: change it there and restart the app.`
      : source === 'managed'
        ? `${name} is set in app-config.json, which your organisation installed with the app: ask them to change it, then restart the app.`
        : source === 'saved'
          ? `Correct ${label} in Settings and save.`
          : `Fill in ${label} in Settings and save.`;
  return { code: 'config_invalid', message: `${error.message} ${what}` };
}

/** The managed app-config.json itself is unusable (not JSON, an unknown key, …). */
function managedFileProblem(error: ConfigError): AppError {
  return {
    code: 'config_invalid',
    message: `${error.message} This file was installed with the app by your organisation: ask them to fix it, then restart the app.`,
  };
}

/** True when a value from the environment or the managed file fails the parser: no Save can fix that. */
function hasUnusableLockedValue(resolved: ResolvedSettings): boolean {
  if (isLocked(resolved.sources.PROXY) && proxyErrors(resolved.form).PROXY) return true;
  const result = validateSettings(resolved.form.values, 'labels');
  return (
    !result.ok &&
    SETTING_NAMES.some((name) => isLocked(resolved.sources[name]) && result.errors[name])
  );
}

/** While the form is partly invalid: the URLs for the ports typed so far, when those parse. */
function partialRegistration(form: SettingsForm): SettingsView['registration'] {
  const probe = validateSettings({
    AUTH0_DOMAIN: form.values.AUTH0_DOMAIN ?? '',
    AUTH0_CLIENT_ID: 'x',
    AUTH0_AUDIENCE: 'x',
    API_SERVER_URL: 'https://x',
    ...(form.values.AUTH0_CALLBACK_PORTS
      ? { AUTH0_CALLBACK_PORTS: form.values.AUTH0_CALLBACK_PORTS }
      : {}),
  });
  return probe.ok ? registrationFor(probe.config) : { callbackUrls: [], logoutUrls: [] };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
