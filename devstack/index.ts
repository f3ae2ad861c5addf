// The devstack: a local OpenID Provider and the Hello World API, both on 127.0.0.1.
import { AUDIENCE, CLIENT_ID, DEMO_ACCOUNTS } from './accounts.ts';
import { startMessageApi, type MessageApiServer } from './api.ts';
import { CLOCK_TOLERANCE, startIdentityProvider } from './provider.ts';
import { LOOPBACK_HOST, PortInUseError } from './net.ts';
import { openDevstackState, rememberPorts } from './state.ts';
import { makeDevstackCertificates, type DevstackCertificates } from './tls.ts';

export {
  ADMIN_PERMISSION,
  APP_LINK_SCHEME,
  AUDIENCE,
  CLIENT_ID,
  DEMO_ACCOUNTS,
  MIN_PASSWORD_LENGTH,
} from './accounts.ts';
export type { DemoAccount } from './accounts.ts';
export { MESSAGES, createMessageApi, issuerFromDomain, startMessageApi } from './api.ts';
export type { MessageApiOptions, MessageApiServer } from './api.ts';
export {
  APP_LINK_REDIRECT_URI,
  DEVICE_CODE_GRANT,
  POST_LOGOUT_REDIRECT_URI,
  REDIRECT_URI,
  SCOPES,
  startIdentityProvider,
} from './provider.ts';
export type { IdentityProvider, IdentityProviderOptions, ProviderPersistence } from './provider.ts';
export { STATE_FILES, readRememberedPorts } from './state.ts';
export type { RememberedPorts } from './state.ts';
export { LOOPBACK_HOST, PortInUseError } from './net.ts';
export { OpensslMissingError } from './tls.ts';

export interface DevstackOptions {
  /**
   * Default 0 (any free port). The cli uses DEVSTACK_IDP_PORT ?? 4000. A list is tried in order: a
   * port another program holds moves on to the next (the app ends its list with 0, so it always starts).
   */
  idpPort?: number | readonly number[];
  /** Default 0 (any free port). The cli uses DEVSTACK_API_PORT ?? 6060. A list is tried in order. */
  apiPort?: number | readonly number[];
  /** Access token lifetime in seconds, default 3600. */
  accessTokenTtl?: number;
  /** No error logging to the console. */
  quiet?: boolean;
  /**
   * DPoP requests to the provider and the API must carry their server's nonce (RFC 9449 §8, §9):
   * the first proof to each is answered `use_dpop_nonce`. Default true. Bearer requests are unaffected.
   */
  requireDpopNonce?: boolean;
  /**
   * Keep the devstack's state in this folder (created 0700, files 0600) so a restart on it forgets
   * nothing: the signing and cookie keys, the DPoP nonce secrets, oidc-provider's sessions, grants and
   * refresh tokens, and signed-up accounts (password hashes only). Default: none, everything in memory
   * and a restart forgets it all (the tests rely on that). The ports it listened on are remembered
   * there too (ports.json, see readRememberedPorts): the issuer names its port, so a session stored
   * on this folder stays valid as long as the app asks for the same ports again.
   */
  dataDir?: string;
  /** Seconds a sign-in code (RFC 8628) stays valid, default 600. */
  deviceCodeTtl?: number;
  /** Seconds between the app's polls for a sign-in code (RFC 8628 `interval`), default 5. */
  deviceCodeInterval?: number;
  /**
   * Serve the provider and the API over HTTPS (DEVSTACK_TLS=1) with a throw-away CA made at start
   * (tls.ts; `Devstack.tls` says where its certificate is). `idpHost` / `apiHost` name them in the
   * issuer and the API's URL (default 127.0.0.1) and in the certificate; such a name must reach
   * 127.0.0.1 for the client (a hosts entry, or a proxy that resolves it), the API reaches its
   * provider under it directly.
   */
  tls?: boolean | { idpHost?: string; apiHost?: string };
}

/** Where a devstack over HTTPS keeps what clients must trust. */
export interface DevstackTls {
  /** The throw-away CA's certificate (PEM), and its path: `NODE_EXTRA_CA_CERTS=<caPath>`. */
  caPem: string;
  caPath: string;
  /** base64 SHA-256 of the server key: Chromium's `--ignore-certificate-errors-spki-list=<spkiHash>`. */
  spkiHash: string;
}

export interface DevstackAccount {
  email: string;
  password: string;
  permissions: string[];
}

export interface Devstack {
  /** `http://127.0.0.1:<real port>` (`https://<idpHost>:<port>` with `tls`), no trailing slash. */
  issuer: string;
  clientId: string;
  audience: string;
  /** `http://127.0.0.1:<real port>` (`https://<apiHost>:<port>` with `tls`) */
  apiUrl: string;
  /** The state folder (resolved), or undefined when everything is in memory. */
  dataDir: string | undefined;
  /** With `tls`: the CA to trust. */
  tls: DevstackTls | undefined;
  accounts: ReadonlyArray<DevstackAccount>;
  /** Requests seen at the provider's token endpoint, by grant_type (success or failure). */
  tokenRequests(grantType: string): number;
  close(): Promise<void>;
}

/** The demo accounts as the Devstack interface lists them. */
export const DEMO: ReadonlyArray<DevstackAccount> = DEMO_ACCOUNTS.map((account) => ({
  email: account.email,
  password: account.password,
  permissions: [...account.permissions],
}));

export async function startDevstack(options: DevstackOptions = {}): Promise<Devstack> {
  const warn = options.quiet
    ? () => {}
    : (message: string) => console.warn(`[devstack] ${message}`);
  const state =
    options.dataDir === undefined
      ? undefined
      : await openDevstackState(options.dataDir, { clockTolerance: CLOCK_TOLERANCE, warn });
  const hosts = options.tls === true ? {} : options.tls || undefined;
  const certificates: DevstackCertificates | undefined =
    hosts === undefined
      ? undefined
      : await makeDevstackCertificates(
          [hosts.idpHost, hosts.apiHost].filter((host): host is string => host !== undefined),
        );
  const serverTls = (host: string | undefined) =>
    certificates === undefined
      ? {}
      : { tls: { cert: certificates.cert, key: certificates.key, ...(host ? { host } : {}) } };
  const idp = await onFirstFreePort(options.idpPort, (port) =>
    startIdentityProvider({
      port,
      ...serverTls(hosts?.idpHost),
      accessTokenTtl: options.accessTokenTtl,
      quiet: options.quiet,
      requireDpopNonce: options.requireDpopNonce ?? true,
      ...(options.deviceCodeTtl === undefined ? {} : { deviceCodeTtl: options.deviceCodeTtl }),
      ...(options.deviceCodeInterval === undefined
        ? {}
        : { deviceCodeInterval: options.deviceCodeInterval }),
      ...(state === undefined
        ? {}
        : {
            persistence: {
              signingKey: state.secrets.signingKey,
              cookieKeys: state.secrets.cookieKeys,
              dpopNonceSecret: state.secrets.providerDpopNonceSecret,
              adapter: state.adapter,
              accounts: state.accounts,
            },
          }),
    }),
  ).catch(async (error: unknown) => {
    await certificates?.dispose();
    throw error;
  });
  let api: MessageApiServer | undefined;
  try {
    // Provider and API share one process clock: no skew to allow, an expired token is refused at once.
    api = await onFirstFreePort(options.apiPort, (port) =>
      startMessageApi({
        issuer: idp.issuer,
        audience: AUDIENCE,
        port,
        ...serverTls(hosts?.apiHost),
        ...(certificates === undefined
          ? {}
          : { issuerTrust: { ca: certificates.caPem, hosts: [hosts?.idpHost ?? LOOPBACK_HOST] } }),
        clockTolerance: 0,
        requireDpopNonce: options.requireDpopNonce ?? true,
        ...(state === undefined ? {} : { dpopNonceSecret: state.secrets.apiDpopNonceSecret }),
      }),
    );
    if (state !== undefined) await rememberPorts(state.dir, { idp: idp.port, api: api.port });
  } catch (error) {
    await api?.close();
    await idp.close();
    await certificates?.dispose();
    throw error;
  }
  const messageApi = api;
  let closing: Promise<void> | undefined;
  return {
    issuer: idp.issuer,
    clientId: CLIENT_ID,
    audience: AUDIENCE,
    apiUrl: messageApi.url,
    dataDir: state?.dir,
    tls:
      certificates === undefined
        ? undefined
        : {
            caPem: certificates.caPem,
            caPath: certificates.caPath,
            spkiHash: certificates.spkiHash,
          },
    accounts: DEMO.map((account) => ({ ...account, permissions: [...account.permissions] })),
    tokenRequests: (grantType) => idp.tokenRequests(grantType),
    close: () => {
      // Servers first (no new changes), then whatever is still being written.
      closing ??= Promise.all([messageApi.close(), idp.close()])
        .then(() => state?.flush())
        .then(() => certificates?.dispose());
      return closing;
    },
  };
}

/**
 * Starts a server on the first of `ports` that is free; a taken port moves on, the last one's error
 * is thrown.
 */
async function onFirstFreePort<T>(
  ports: number | readonly number[] | undefined,
  start: (port: number) => Promise<T>,
): Promise<T> {
  const candidates = ports === undefined ? [0] : typeof ports === 'number' ? [ports] : ports;
  let busy: PortInUseError | undefined;
  for (const port of candidates) {
    try {
      return await start(port);
    } catch (error) {
      if (!(error instanceof PortInUseError)) throw error;
      busy = error;
    }
  }
  throw busy ?? new TypeError('no port to try');
}
