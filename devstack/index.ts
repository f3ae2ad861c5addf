// The devstack: a local OpenID Provider and the Hello World API, both on 127.0.0.1.
import { AUDIENCE, CLIENT_ID, DEMO_ACCOUNTS } from './accounts.ts';
import { startMessageApi } from './api.ts';
import { CLOCK_TOLERANCE, startIdentityProvider } from './provider.ts';
import { openDevstackState } from './state.ts';

export { ADMIN_PERMISSION, AUDIENCE, CLIENT_ID, DEMO_ACCOUNTS, MIN_PASSWORD_LENGTH } from './accounts.ts';
export type { DemoAccount } from './accounts.ts';
export { MESSAGES, createMessageApi, issuerFromDomain, startMessageApi } from './api.ts';
export type { MessageApiOptions, MessageApiServer } from './api.ts';
export { POST_LOGOUT_REDIRECT_URI, REDIRECT_URI, SCOPES, startIdentityProvider } from './provider.ts';
export type { IdentityProvider, IdentityProviderOptions, ProviderPersistence } from './provider.ts';
export { STATE_FILES } from './state.ts';
export { LOOPBACK_HOST, PortInUseError } from './net.ts';

export interface DevstackOptions {
  /** Default 0 (any free port). The cli uses DEVSTACK_IDP_PORT ?? 4000. */
  idpPort?: number;
  /** Default 0 (any free port). The cli uses DEVSTACK_API_PORT ?? 6060. */
  apiPort?: number;
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
   * and a restart forgets it all (the tests rely on that).
   */
  dataDir?: string;
}

export interface DevstackAccount {
  email: string;
  password: string;
  permissions: string[];
}

export interface Devstack {
  /** `http://127.0.0.1:<real port>`, no trailing slash. */
  issuer: string;
  clientId: string;
  audience: string;
  /** `http://127.0.0.1:<real port>` */
  apiUrl: string;
  /** The state folder (resolved), or undefined when everything is in memory. */
  dataDir: string | undefined;
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
  const warn = options.quiet ? () => {} : (message: string) => console.warn(`[devstack] ${message}`);
  const state = options.dataDir === undefined
    ? undefined
    : await openDevstackState(options.dataDir, { clockTolerance: CLOCK_TOLERANCE, warn });
  const idp = await startIdentityProvider({
    port: options.idpPort ?? 0,
    accessTokenTtl: options.accessTokenTtl,
    quiet: options.quiet,
    requireDpopNonce: options.requireDpopNonce ?? true,
    ...(state === undefined ? {} : {
      persistence: {
        signingKey: state.secrets.signingKey,
        cookieKeys: state.secrets.cookieKeys,
        dpopNonceSecret: state.secrets.providerDpopNonceSecret,
        adapter: state.adapter,
        accounts: state.accounts,
      },
    }),
  });
  let api;
  try {
    // Provider and API share one process clock: no skew to allow, an expired token is refused at once.
    api = await startMessageApi({
      issuer: idp.issuer,
      audience: AUDIENCE,
      port: options.apiPort ?? 0,
      clockTolerance: 0,
      requireDpopNonce: options.requireDpopNonce ?? true,
      ...(state === undefined ? {} : { dpopNonceSecret: state.secrets.apiDpopNonceSecret }),
    });
  } catch (error) {
    await idp.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    issuer: idp.issuer,
    clientId: CLIENT_ID,
    audience: AUDIENCE,
    apiUrl: api.url,
    dataDir: state?.dir,
    accounts: DEMO.map((account) => ({ ...account, permissions: [...account.permissions] })),
    tokenRequests: (grantType) => idp.tokenRequests(grantType),
    close: () => {
      // Servers first (no new changes), then whatever is still being written.
      closing ??= Promise.all([api.close(), idp.close()]).then(() => state?.flush());
      return closing;
    },
  };
}
