/**
 * The providers a core can run on: a tenant named by the settings, or the built-in demo provider
 * (the devstack, started here). Each comes with its config, how to stop it and a summary for the log.
 */
import { ConfigError, parseConfig, readSettings, type AppConfig, type Settings } from './config.ts';
import type { Cipher } from './platform.ts';

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
    summary: endpointLines(config).join('\n'),
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
    ...(settings.MAX_ACCOUNTS ? { MAX_ACCOUNTS: settings.MAX_ACCOUNTS } : {}),
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
  const state =
    devstack.dataDir ??
    (encrypted
      ? 'in memory (forgotten when it stops)'
      : 'in memory: without OS encryption no refresh token is kept on disk');
  const summary = [
    'Built-in demo provider (the local devstack).',
    ...portNote(idpPorts[0], devstack.issuer, 'identity provider', dataDir),
    ...portNote(apiPorts[0], devstack.apiUrl, 'Hello World API', dataDir),
    ...endpointLines(config),
    `Demo accounts: ${accounts}`,
    `Devstack state: ${state}`,
  ];
  return { config, stop: () => devstack.close(), summary: summary.join('\n') };
}

/** The summary's lines every provider has: where it signs in, which API, DPoP on or off. */
function endpointLines(config: AppConfig): string[] {
  return [
    `Identity provider: ${config.issuer.href}`,
    `Message API: ${config.apiServerUrl.href}`,
    `DPoP: ${config.dpop ? 'on' : 'off'}`,
  ];
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

/** One summary line when the preferred port was taken (none otherwise). */
function portNote(
  preferred: number | undefined,
  url: string,
  role: string,
  dataDir: string | undefined,
): string[] {
  const port = Number(new URL(url).port);
  if (!preferred || preferred === port) return [];
  const remembered = dataDir === undefined ? '' : ' (remembered for next time)';
  return [`Port ${preferred} is in use: the ${role} listens on ${port} instead${remembered}.`];
}
