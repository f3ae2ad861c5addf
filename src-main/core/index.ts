/**
 * The core's public surface for its two hosts, the Electron shell and the browser preview.
 * Nothing under core/ imports `electron`.
 */
import type {
  Channel,
  ChannelResponses,
  MessageKind,
  OtherSignInWay,
  SessionView,
} from '../../src-preload/contract.ts';
import { parseRequest } from '../../src-preload/contract-validators.ts';
import { ConfigError, parseConfig, readSettings, type AppConfig, type Settings } from './config.ts';
import { toAppError } from './errors.ts';
import { MessageService } from './messages.ts';
import type { Cipher, CorePorts } from './ports.ts';
import { redactingLogger } from './redact.ts';
import { SessionManager, type SessionOptions } from './session.ts';

export type { AppConfig } from './config.ts';
export type { CorePorts } from './ports.ts';
export { ConfigError } from './config.ts';

export interface AuthCore {
  /** Runs one request from the renderer: validates channel + args, never throws, never returns a token. */
  handle(channel: unknown, args: unknown): Promise<ChannelResponses[SessionChannel]>;
  /** What the renderer may see right now. */
  view(): SessionView;
  /** Reads the vault at start: signed in again without a browser when it can be. */
  restore(): Promise<void>;
  /** Cancels a pending sign-in and closes the loopback receivers. */
  close(): Promise<void>;
  readonly session: SessionManager;
  readonly messages: MessageService;
}

/** The Settings page's channels: the host answers them (host.ts), not a core bound to one provider. */
export type SettingsChannel = Extract<Channel, `settings:${string}`>;
export type SessionChannel = Exclude<Channel, SettingsChannel>;
/** What any channel answers (a host's `handle` answers every channel of the contract). */
export type ChannelResponse = ChannelResponses[Channel];

type Handlers = {
  [C in SessionChannel]: (...args: never[]) => Promise<ChannelResponses[C]> | ChannelResponses[C];
};

export function createAuthCore(
  config: AppConfig,
  hostPorts: CorePorts,
  options: SessionOptions = {},
): AuthCore {
  // Every core log line passes through redaction (redact.ts): whatever a call passes, no token is logged.
  const ports: CorePorts = { ...hostPorts, log: redactingLogger(hostPorts.log) };
  const session = new SessionManager(config, ports, options);
  const messages = new MessageService(config.apiServerUrl, session);
  // The handler table: one entry per channel of the contract (the type makes a missing one an error).
  const handlers: Handlers = {
    'session:get': () => session.view(),
    'auth:login': () => session.login(),
    'auth:signup': () => session.signup(),
    'auth:cancel': () => session.cancel(),
    'auth:reopen': () => session.reopen(),
    'auth:use-way': (way: OtherSignInWay) => session.useWay(way),
    'auth:open-code-page': () => session.openCodePage(),
    'auth:copy-code': () => session.copyCode(),
    'auth:logout': () => session.logout(),
    'auth:end-provider-session': () => session.endProviderSession(),
    'messages:get': (kind: MessageKind) => messages.get(kind),
  };
  return {
    session,
    messages,
    async handle(channel, args) {
      const request = parseRequest(channel, args);
      if (!request.ok) return { ok: false, error: request.error };
      if (!Object.hasOwn(handlers, request.channel))
        return { ok: false, error: { code: 'invalid_request', message: 'Unknown request.' } };
      try {
        const handler = handlers[request.channel as SessionChannel] as (
          ...args: unknown[]
        ) => Promise<ChannelResponses[SessionChannel]> | ChannelResponses[SessionChannel];
        return await handler(...request.args);
      } catch (error) {
        // Handlers answer with data; this is the last line so the renderer still gets an answer.
        ports.log?.error('handler failed', {
          channel: request.channel,
          error: toAppError(error).code,
        });
        return {
          ok: false,
          error: {
            code: 'internal',
            message: 'Something went wrong in the app. Please try again.',
          },
        };
      }
    },
    view: () => session.view(),
    restore: () => session.restore(),
    close: () => session.close(),
  };
}

/** Channels the bridges must expose; re-exported for the hosts. */
export { CHANNELS } from '../../src-preload/contract-validators.ts';

/** A provider the core can run on, and how to stop what was started for it (the demo provider). */
export interface Configured {
  config: AppConfig;
  stop(): Promise<void>;
  /** Lines for the log: which provider, which API, DPoP on or off. */
  summary: string;
}

/**
 * Reads AUTH0_* settings from `env` (and `.env` in `cwd`); without AUTH0_DOMAIN starts the devstack
 * (startDemoProvider). Throws ConfigError naming the setting. The apps go through host.ts, which adds
 * the managed file and the saved settings; this is the environment alone.
 */
export async function configureFromEnvironment(
  env: NodeJS.ProcessEnv,
  options: { cwd?: string; devstackDataDir?: string } = {},
): Promise<Configured> {
  const settings = readSettings(env, options.cwd);
  if (settings.AUTH0_DOMAIN) return configureTenant(settings);
  return startDemoProvider(env, settings, options);
}

/** A tenant's settings, validated (throws the first ConfigError). */
export function configureTenant(settings: Settings): Configured {
  const config = parseConfig(settings);
  return {
    config,
    stop: async () => {},
    summary: `Identity provider: ${config.issuer.href}\nMessage API: ${config.apiServerUrl.href}\nDPoP: ${config.dpop ? 'on' : 'off'}`,
  };
}

/**
 * Starts the built-in demo provider (the devstack: DEVSTACK_IDP_PORT / DEVSTACK_API_PORT, default
 * 4000 / 6060, other ports when those are taken) and configures for it; `settings` may set
 * AUTH0_CALLBACK_PORTS and AUTH0_DPOP. That devstack keeps its state (keys, sessions, refresh tokens,
 * sign-ups, its ports) in `devstackDataDir` when given, so a restarted app on the same folder finds
 * its saved session still honoured; without it, in memory.
 */
/**
 * Given the host's `cipher`, the devstack's data folder is used only when that cipher is available:
 * without OS encryption the app keeps no session, so the devstack must not keep its live refresh
 * tokens (in clear) on disk either.
 */
export async function startDemoProvider(
  env: NodeJS.ProcessEnv,
  settings: Settings,
  options: { devstackDataDir?: string; cipher?: Pick<Cipher, 'isAvailable'> } = {},
): Promise<Configured> {
  // Validate what the person set before starting anything.
  const overrides = {
    ...(settings.AUTH0_CALLBACK_PORTS
      ? { AUTH0_CALLBACK_PORTS: settings.AUTH0_CALLBACK_PORTS }
      : {}),
    ...(settings.AUTH0_REDIRECT_SCHEME
      ? { AUTH0_REDIRECT_SCHEME: settings.AUTH0_REDIRECT_SCHEME }
      : {}),
    // The devstack issues DPoP-bound tokens: on unless AUTH0_DPOP says otherwise.
    AUTH0_DPOP: settings.AUTH0_DPOP ?? 'true',
  };
  parseConfig({
    AUTH0_DOMAIN: 'http://127.0.0.1',
    AUTH0_CLIENT_ID: 'demo',
    AUTH0_AUDIENCE: 'demo',
    API_SERVER_URL: 'http://127.0.0.1',
    ...overrides,
  });
  const { startDevstack, readRememberedPorts } = await import('../../devstack/index.ts');
  const encrypted =
    options.cipher === undefined || (await options.cipher.isAvailable().catch(() => false));
  const dataDir = encrypted ? options.devstackDataDir : undefined;
  const remembered = dataDir === undefined ? undefined : await readRememberedPorts(dataDir);
  // Its ports are a preference, not a requirement: the ones set, then the ones it used last on this
  // data folder (the stored session's issuer names that port), then the defaults, then any free port.
  const idpPorts = portPreference(parsePort(env, 'DEVSTACK_IDP_PORT'), remembered?.idp, 4000);
  const apiPorts = portPreference(parsePort(env, 'DEVSTACK_API_PORT'), remembered?.api, 6060);
  const devstack = await startDevstack({
    idpPort: idpPorts,
    apiPort: apiPorts,
    quiet: true,
    ...(dataDir === undefined ? {} : { dataDir }),
  });
  const config = parseConfig({
    AUTH0_DOMAIN: devstack.issuer,
    AUTH0_CLIENT_ID: devstack.clientId,
    AUTH0_AUDIENCE: devstack.audience,
    API_SERVER_URL: devstack.apiUrl,
    ...overrides,
  });
  const accounts = devstack.accounts.map((a) => `${a.email} / ${a.password}`).join(', ');
  return {
    config,
    stop: () => devstack.close(),
    summary: `Built-in demo provider (the local devstack).\n${portNote(idpPorts[0], devstack.issuer, 'identity provider', dataDir)}${portNote(apiPorts[0], devstack.apiUrl, 'Hello World API', dataDir)}Identity provider: ${devstack.issuer}\nMessage API: ${devstack.apiUrl}\nDPoP: ${config.dpop ? 'on' : 'off'}\nDemo accounts: ${accounts}\nDevstack state: ${devstack.dataDir ?? (encrypted ? 'in memory (forgotten when it stops)' : 'in memory: without OS encryption no refresh token is kept on disk')}`,
  };
}

function parsePort(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new ConfigError(name, `"${value}" is not a port (0–65535; 0 means any free port).`);
  return port;
}

/** The devstack's ports to try in order; always ends with 0 (any free port), so it always starts. */
function portPreference(
  set: number | undefined,
  remembered: number | undefined,
  fallback: number,
): number[] {
  return [...new Set([set ?? remembered ?? fallback, remembered ?? fallback, fallback, 0])];
}

/** One summary line when the preferred port was taken (empty otherwise). */
function portNote(
  preferred: number | undefined,
  url: string,
  role: string,
  dataDir: string | undefined,
): string {
  const port = Number(new URL(url).port);
  if (!preferred || preferred === port) return '';
  return `Port ${preferred} is in use: the ${role} listens on ${port} instead${dataDir === undefined ? '' : ' (remembered for next time)'}.\n`;
}
