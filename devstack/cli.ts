// `npm run devstack`: the local identity provider and the Hello World API on 127.0.0.1.
//
//   DEVSTACK_IDP_PORT  identity provider port (default 4000, 0 = any free port)
//   DEVSTACK_API_PORT  Hello World API port   (default 6060, 0 = any free port)
//   DEVSTACK_DATA_DIR  folder to keep the devstack's state in (created owner-only): signing and cookie
//                      keys, sessions, grants, refresh tokens and sign-ups (password hashes only), so a
//                      restart forgets nothing. Default: none, everything in memory (a restart forgets
//                      every session and sign-up).
//   DEVSTACK_TLS       1: serve the provider and the API over HTTPS with a throw-away CA made at start
//                      (printed: its ca.pem, to trust with NODE_EXTRA_CA_CERTS, and the Chromium flag);
//                      the CA can vouch for the devstack's own names only, and is deleted at stop
//   AUTH0_DOMAIN       when set to a real tenant (not loopback), only the API starts, validating that
//                      tenant's tokens (AUTH0_AUDIENCE, default https://hello-world.example.com)
import {
  AUDIENCE,
  DEMO_ACCOUNTS,
  LOOPBACK_HOST,
  OpensslMissingError,
  PortInUseError,
  issuerFromDomain,
  startDevstack,
  startMessageApi,
} from './index.ts';

const PORT_SETTINGS = {
  'identity provider': 'DEVSTACK_IDP_PORT',
  'Hello World API': 'DEVSTACK_API_PORT',
} as const;

class UsageError extends Error {}

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/u.test(raw) || port > 65535) {
    throw new UsageError(
      `${name} must be a port number from 0 to 65535 (0 = any free port), got "${raw}"`,
    );
  }
  return port;
}

function tlsFromEnv(): boolean {
  const raw = process.env['DEVSTACK_TLS']?.trim().toLowerCase() ?? '';
  if (raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new UsageError(`DEVSTACK_TLS must be 1 or 0, got "${raw}"`);
}

function isLoopbackIssuer(issuer: string): boolean {
  const host = URL.parse(issuer)?.hostname;
  return host === LOOPBACK_HOST || host === 'localhost' || host === '[::1]';
}

function accountLines(): string[] {
  const width = Math.max(
    ...DEMO_ACCOUNTS.map((account) => `${account.email} / ${account.password}`.length),
  );
  return DEMO_ACCOUNTS.map((account) => {
    const credentials = `${account.email} / ${account.password}`.padEnd(width);
    const permissions =
      account.permissions.length > 0
        ? `permissions: ${account.permissions.join(', ')}`
        : 'no permissions';
    return `    ${credentials}  (${account.name}, ${permissions})`;
  });
}

async function main(): Promise<() => Promise<void>> {
  const idpPort = portFromEnv('DEVSTACK_IDP_PORT', 4000);
  const apiPort = portFromEnv('DEVSTACK_API_PORT', 6060);
  const domain = process.env['AUTH0_DOMAIN']?.trim();
  const dataDir = process.env['DEVSTACK_DATA_DIR']?.trim() || undefined;
  const tls = tlsFromEnv();

  if (domain && !isLoopbackIssuer(issuerFromDomain(domain))) {
    if (tls) throw new UsageError('DEVSTACK_TLS=1 serves the local provider; unset AUTH0_DOMAIN');
    const issuer = issuerFromDomain(domain);
    const audience = process.env['AUTH0_AUDIENCE']?.trim() || AUDIENCE;
    const api = await startMessageApi({ issuer, audience, port: apiPort });
    console.log(
      [
        'Hello World API running, fronting your identity provider (AUTH0_DOMAIN is set)',
        '',
        `  Issuer           ${issuer}`,
        `  Audience         ${audience}`,
        `  Hello World API  ${api.url}`,
        '',
        'Press Ctrl+C to stop.',
      ].join('\n'),
    );
    return () => api.close();
  }

  const devstack = await startDevstack({
    idpPort,
    apiPort,
    ...(dataDir === undefined ? {} : { dataDir }),
    tls,
  });
  const tlsLines =
    devstack.tls === undefined
      ? []
      : [
          '  HTTPS with a throw-away CA made for this run (deleted at stop; it can vouch for 127.0.0.1 and localhost only):',
          `    CA certificate   ${devstack.tls.caPath}`,
          `    Node, the app    NODE_EXTRA_CA_CERTS=${devstack.tls.caPath}`,
          `    Chromium         --ignore-certificate-errors-spki-list=${devstack.tls.spkiHash}`,
          '',
        ];
  console.log(
    [
      'Devstack running on loopback: local identity provider + Hello World API',
      '',
      `  Issuer           ${devstack.issuer}`,
      `  Client ID        ${devstack.clientId}`,
      `  Audience         ${devstack.audience}`,
      `  Hello World API  ${devstack.apiUrl}`,
      '',
      ...tlsLines,
      '  App settings for these ports:',
      `    AUTH0_DOMAIN=${devstack.issuer}`,
      `    AUTH0_CLIENT_ID=${devstack.clientId}`,
      `    AUTH0_AUDIENCE=${devstack.audience}`,
      `    API_SERVER_URL=${devstack.apiUrl}`,
      '    AUTH0_DPOP=true     (optional: DPoP-bound tokens; without it, plain bearer tokens)',
      '',
      '  Demo accounts:',
      ...accountLines(),
      devstack.dataDir === undefined
        ? '  Sign-ups are kept in memory; a restart forgets them and every session (set DEVSTACK_DATA_DIR to keep them).'
        : `  State (keys, sessions, sign-ups) kept in ${devstack.dataDir}; a restart on it forgets nothing.`,
      '',
      'Press Ctrl+C to stop.',
    ].join('\n'),
  );
  return () => devstack.close();
}

function describe(error: unknown): string {
  if (error instanceof PortInUseError) {
    const setting = PORT_SETTINGS[error.role as keyof typeof PORT_SETTINGS] ?? 'the port setting';
    return `${error.message}; stop whatever uses it or set ${setting} to another port (0 = any free port)`;
  }
  if (error instanceof UsageError || error instanceof OpensslMissingError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

try {
  const stop = await main();
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`\n${signal}: stopping the devstack…`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`devstack: shutdown failed: ${describe(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  console.error(`devstack: ${describe(error)}`);
  process.exit(1);
}
