// The devstack: a local OpenID Provider and the Hello World API, both on 127.0.0.1.
import { AUDIENCE, CLIENT_ID, DEMO_ACCOUNTS } from './accounts.ts';
import { startMessageApi } from './api.ts';
import { startIdentityProvider } from './provider.ts';

export { ADMIN_PERMISSION, AUDIENCE, CLIENT_ID, DEMO_ACCOUNTS, MIN_PASSWORD_LENGTH } from './accounts.ts';
export type { DemoAccount } from './accounts.ts';
export { MESSAGES, createMessageApi, issuerFromDomain, startMessageApi } from './api.ts';
export type { MessageApiOptions, MessageApiServer } from './api.ts';
export { POST_LOGOUT_REDIRECT_URI, REDIRECT_URI, SCOPES, startIdentityProvider } from './provider.ts';
export type { IdentityProvider, IdentityProviderOptions } from './provider.ts';
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
  const idp = await startIdentityProvider({
    port: options.idpPort ?? 0,
    accessTokenTtl: options.accessTokenTtl,
    quiet: options.quiet,
    requireDpopNonce: options.requireDpopNonce ?? true,
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
    accounts: DEMO.map((account) => ({ ...account, permissions: [...account.permissions] })),
    tokenRequests: (grantType) => idp.tokenRequests(grantType),
    close: () => {
      closing ??= Promise.all([api.close(), idp.close()]).then(() => undefined);
      return closing;
    },
  };
}
