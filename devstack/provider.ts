// Local OpenID Provider (oidc-provider 9) shaped like an Auth0 tenant for one native, public client.
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import Provider, { errors, interactionPolicy } from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import type {
  Account,
  Configuration,
  Interaction,
  KoaContextWithOIDC,
  OIDCContext,
  Token,
} from 'oidc-provider';
import { APP_LINK_SCHEME, AUDIENCE, AccountStore, CLIENT_ID } from './accounts.ts';
import type { AccountPersistence, StoredAccount } from './accounts.ts';
import {
  LOOPBACK_HOST,
  closeServer,
  listenOnLoopback,
  type DevstackServer,
  type ServerTls,
} from './net.ts';
import {
  PAGE_HEADERS,
  PRODUCT_NAME,
  deviceConfirmPage,
  deviceInputPage,
  deviceSuccessPage,
  errorPage,
  loginPage,
  logoutPage,
  messagePage,
  postLogoutPage,
  signUpPage,
} from './pages.ts';
import { createCookieKeys, createNonceSecret, createSigningKey } from './state.ts';

/**
 * Registered with port-less loopback URIs: any port matches (RFC 8252 §7.3, oidc-provider does this
 * for native clients).
 */
export const REDIRECT_URI = `http://${LOOPBACK_HOST}/callback`;
/** The app link (RFC 8252 §7.1): a private-use scheme redirect, matched exactly. */
export const APP_LINK_REDIRECT_URI = `${APP_LINK_SCHEME}:/callback`;
/** RFC 8628's device code grant type. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** Lifetime of a device code (and its user code) in seconds, by default. */
export const DEFAULT_DEVICE_CODE_TTL = 600;
export const POST_LOGOUT_REDIRECT_URI = `http://${LOOPBACK_HOST}/logged-out`;
export const SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
export const DEFAULT_ACCESS_TOKEN_TTL = 3600;

const DAY = 24 * 60 * 60;
/** Seconds of clock skew the provider allows (and its adapters add to every lifetime). */
export const CLOCK_TOLERANCE = 15;

export interface IdentityProviderOptions {
  port?: number;
  accessTokenTtl?: number;
  quiet?: boolean;
  /** Token requests that carry a DPoP proof must carry the provider's nonce too (default true). */
  requireDpopNonce?: boolean;
  /** State kept across restarts (startDevstack's dataDir); default: all in memory, fresh keys. */
  persistence?: ProviderPersistence;
  /** Seconds a sign-in code (RFC 8628 device code) stays valid; default 600. */
  deviceCodeTtl?: number;
  /** Seconds the app must wait between polls (RFC 8628 `interval`); default 5. */
  deviceCodeInterval?: number;
  /**
   * Serve HTTPS with this certificate (tls.ts); the issuer is `https://<host>:<port>`, `host` default
   * 127.0.0.1 (another name must reach 127.0.0.1: a hosts entry, or a proxy's own resolver).
   */
  tls?: ServerTls;
}

/** What a provider that survives restarts reuses: its keys, its stored models, its sign-ups. */
export interface ProviderPersistence {
  /** RS256 private JWK with `kid`, `alg` and `use`. */
  signingKey: Record<string, unknown>;
  cookieKeys: string[];
  /** 32 bytes. */
  dpopNonceSecret: Buffer;
  /** oidc-provider's `adapter` setting (a factory called with each model name). */
  adapter: (model: string) => unknown;
  accounts: AccountPersistence;
}

export interface IdentityProvider {
  readonly issuer: string;
  readonly port: number;
  readonly accounts: AccountStore;
  readonly provider: Provider;
  tokenRequests(grantType: string): number;
  close(): Promise<void>;
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * oidc-provider drops `offline_access` from every authorization request that does not carry
 * prompt=consent (OIDC Core §11). For this first-party client, Auth0's rule applies instead: asking for
 * offline_access is enough. Runs from an extraParams validator, i.e. after checkScope and before the
 * interaction is saved, so the restored scope flows into the grant, the code and the refresh token.
 */
function restoreOfflineAccess(ctx: KoaContextWithOIDC): void {
  const { oidc } = ctx;
  const params = oidc.params;
  if (
    (oidc.route !== 'authorization' && oidc.route !== 'device_authorization') ||
    params === undefined
  )
    return;
  const raw = ctx.method === 'POST' ? oidc.body : ctx.query;
  const requested = stringParam(raw?.['scope'])?.split(' ') ?? [];
  const scopes = stringParam(params['scope'])?.split(' ') ?? [];
  const codeFlow =
    oidc.route === 'device_authorization' ||
    stringParam(params['response_type'])?.split(' ').includes('code') === true;
  if (
    requested.includes('offline_access') &&
    !scopes.includes('offline_access') &&
    oidc.client?.grantTypeAllowed('refresh_token') === true &&
    codeFlow
  ) {
    params['scope'] = [...scopes, 'offline_access'].join(' ');
  }
}

function toAccount(account: StoredAccount): Account {
  return {
    accountId: account.id,
    claims: () => ({ ...AccountStore.profileClaims(account) }),
  };
}

function buildConfiguration(input: {
  accounts: AccountStore;
  accessTokenTtl: number;
  jwk: Record<string, unknown>;
  cookieKeys: string[];
  dpopNonceSecret: Buffer;
  adapter: ((model: string) => unknown) | undefined;
  requireDpopNonce: boolean;
  deviceCodeTtl: number;
}): Configuration {
  const {
    accounts,
    accessTokenTtl,
    jwk,
    cookieKeys,
    dpopNonceSecret,
    requireDpopNonce,
    deviceCodeTtl,
  } = input;

  const policy = interactionPolicy.base();
  // First-party app: no consent screen. (oidc-provider otherwise asks native clients every time.)
  policy.get('consent')?.checks.remove('native_client_prompt');

  return {
    // Without persistence, in memory on purpose: a restart forgets every session, grant and token
    // (tests rely on it). Passing the memory factory explicitly also avoids the library's
    // "development-only adapter" warning. With persistence: file-adapter.ts.
    adapter: input.adapter ?? createMemoryAdapter(CLOCK_TOLERANCE),
    clockTolerance: CLOCK_TOLERANCE,
    clients: [
      {
        client_id: CLIENT_ID,
        client_name: PRODUCT_NAME,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
        response_types: ['code'],
        // Loopback (any port) and the app link; oidc-provider matches the private-use URI exactly.
        redirect_uris: [REDIRECT_URI, APP_LINK_REDIRECT_URI],
        post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
        // DPoP is the app's choice (AUTH0_DPOP): a token request with a proof gets DPoP-bound tokens,
        // one without keeps getting bearer tokens (dpop_bound_access_tokens would refuse those).
        dpop_bound_access_tokens: false,
      },
    ],
    jwks: { keys: [jwk] },
    cookies: {
      keys: cookieKeys,
    },
    scopes: [...SCOPES],
    claims: {
      openid: ['sub'],
      profile: ['name', 'nickname', 'picture', 'updated_at'],
      email: ['email', 'email_verified'],
    },
    // Like Auth0: the scope-requested claims go in the ID token itself, not only at /userinfo.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    extraParams: {
      // Auth0's way of naming the API: mapped to the resource indicator in defaultResource.
      // Validators run on every authorization request (parameter present or not), after checkScope:
      // the one place to undo the offline_access stripping.
      audience: (ctx: KoaContextWithOIDC) => {
        restoreOfflineAccess(ctx);
      },
      // screen_hint=signup opens the sign-up page first (read by the interaction routes).
      screen_hint: () => undefined,
    },
    findAccount: (_ctx: KoaContextWithOIDC, sub: string) => {
      const account = accounts.get(sub);
      return account === undefined ? undefined : toAccount(account);
    },
    interactions: {
      policy,
      url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) =>
        `/interaction/${interaction.uid}`,
    },
    // First-party: the grant always covers what is asked, so only login is ever prompted.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      const accountId = oidc.account?.accountId;
      const clientId = oidc.client?.clientId;
      if (accountId === undefined || clientId === undefined) return undefined;
      const { Grant } = oidc.provider;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(clientId);
      let grant = grantId === undefined ? undefined : await Grant.find(grantId);
      if (grant === undefined || grant.accountId !== accountId || grant.clientId !== clientId) {
        grant = new Grant({ accountId, clientId });
      }
      grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
      if (oidc.requestParamClaims.size > 0) grant.addOIDCClaims([...oidc.requestParamClaims]);
      for (const [indicator, resourceServer] of Object.entries(oidc.resourceServers)) {
        const scope = [...oidc.requestParamScopes].filter((value) =>
          resourceServer.scopes.has(value),
        );
        grant.addResourceScope(indicator, scope.join(' '));
      }
      await grant.save();
      return grant;
    },
    issueRefreshToken: (
      _ctx: KoaContextWithOIDC,
      client: { grantTypeAllowed(type: string): boolean },
      code: Token,
    ) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: () => true,
    extraTokenClaims: (_ctx: KoaContextWithOIDC, token: Token) => {
      if (token.kind !== 'AccessToken' || token.resourceServer?.identifier() !== AUDIENCE)
        return undefined;
      const account = token.accountId === undefined ? undefined : accounts.get(token.accountId);
      // Auth0 RBAC ("Add Permissions in the Access Token"): always an array.
      return { permissions: [...(account?.permissions ?? [])] };
    },
    ttl: {
      AccessToken: (_ctx: KoaContextWithOIDC, token: Token) =>
        token.resourceServer?.accessTokenTTL ?? accessTokenTtl,
      AuthorizationCode: 60,
      DeviceCode: deviceCodeTtl,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * DAY,
      Grant: 14 * DAY,
      Session: 14 * DAY,
    },
    clientBasedCORS: () => false,
    renderError: (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) => {
      ctx.type = 'html';
      ctx.body = errorPage(out.error, out.error_description);
    },
    features: {
      devInteractions: { enabled: false },
      // RFC 8628: "Sign in with a code". The app shows a user code; the user enters it at /device in
      // any browser, logs in with the same pages as the code flow, confirms, and the app's polling
      // gets the tokens. Codes like BCDF-GHJK (base-20: no vowels, so no words; no 0/O, 1/I).
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource: (
          ctx: KoaContextWithOIDC,
          form: string,
          _out: unknown,
          err?: Error & { userCode?: string },
        ) => {
          setPageHeaders(ctx);
          ctx.body = deviceInputPage(form, deviceInputError(err));
        },
        userCodeConfirmSource: (
          ctx: KoaContextWithOIDC,
          form: string,
          client: { clientName?: string },
          _info: unknown,
          userCode: string,
        ) => {
          setPageHeaders(ctx);
          ctx.body = deviceConfirmPage(form, client.clientName ?? PRODUCT_NAME, userCode);
        },
        successSource: (ctx: KoaContextWithOIDC) => {
          setPageHeaders(ctx);
          ctx.body = deviceSuccessPage(ctx.oidc.client?.clientName ?? PRODUCT_NAME);
        },
      },
      // RFC 9449. A proof at the token endpoint binds the access token (`cnf.jkt` in the JWT) and, for
      // this public client, the refresh token too: it is only honoured with a proof from the same key.
      // `dpop_jkt` on the authorization request binds the code. Proof replays are refused.
      dPoP: {
        enabled: true,
        nonceSecret: dpopNonceSecret,
        // With nonces required, every first proof is answered `use_dpop_nonce` (the retry path runs).
        requireNonce: () => requireDpopNonce,
        allowReplay: false,
      },
      pushedAuthorizationRequests: { enabled: false },
      revocation: {
        enabled: true,
        // A public client may revoke only its own tokens (others are ignored, RFC 7009 §2.2).
        allowedPolicy: (_ctx: KoaContextWithOIDC, client: { clientId: string }, token: Token) =>
          token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => {
          ctx.type = 'html';
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => {
          ctx.type = 'html';
          ctx.body = postLogoutPage(ctx.oidc.client?.clientName);
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx: KoaContextWithOIDC, _client: unknown, oneOf?: string[]) =>
          oneOf ?? stringParam(ctx.oidc.params?.['audience']),
        // Refresh (and code) grants keep the audience the user signed in for; the app need not resend it.
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: KoaContextWithOIDC, indicator: string) => {
          if (indicator !== AUDIENCE) {
            throw new errors.InvalidTarget(`unknown audience (resource indicator): ${indicator}`);
          }
          return {
            // Like Auth0, the access token (and the token response) carry the requested OIDC scopes.
            scope: SCOPES.join(' '),
            audience: AUDIENCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: accessTokenTtl,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  };
}

function setPageHeaders(ctx: KoaContextWithOIDC): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
}

/** What the code entry page says after a failed attempt (oidc-provider's re-render errors). */
function deviceInputError(err: (Error & { userCode?: string }) | undefined): string | undefined {
  if (!err) return undefined;
  switch (err.name) {
    case 'NoCodeError':
      return 'Enter the code the app shows you.';
    case 'NotFoundError':
      return 'That code is not right. Check the code the app shows you and try again.';
    case 'ExpiredError':
      return 'That code has expired. Ask the app for a new one.';
    case 'AlreadyUsedError':
      return 'That code has already been used. Ask the app for a new one.';
    case 'AbortedError':
      return 'You declined this sign-in; the app has been told. You can close this page.';
    default:
      return 'Something went wrong with this code. Ask the app for a new one.';
  }
}

function sendPage(res: Response, status: number, html: string): void {
  res.status(status).set(PAGE_HEADERS).send(html);
}

function formField(body: unknown, name: string): string {
  const value =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

function interactionRoutes(provider: Provider, accounts: AccountStore): express.Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  /** The interaction for this request, or a rendered "expired" page (undefined). */
  async function details(req: Request, res: Response): Promise<Interaction | undefined> {
    try {
      const interaction = await provider.interactionDetails(req, res);
      if (interaction.uid === req.params['uid']) return interaction;
    } catch (error) {
      if (!(error instanceof errors.SessionNotFound)) throw error;
    }
    sendPage(
      res,
      400,
      messagePage(
        'Sign-in expired',
        'This sign-in page is no longer valid. Return to the app and start again.',
      ),
    );
    return undefined;
  }

  async function finishConsent(
    req: Request,
    res: Response,
    interaction: Interaction,
  ): Promise<void> {
    // Only reached when an app explicitly asks for prompt=consent: first-party, so grant what was asked.
    const accountId = interaction.session?.accountId;
    const clientId = stringParam(interaction.params['client_id']);
    if (accountId === undefined || clientId === undefined) {
      sendPage(res, 400, messagePage('Sign-in expired', 'Return to the app and start again.'));
      return;
    }
    const existing =
      interaction.grantId === undefined
        ? undefined
        : await provider.Grant.find(interaction.grantId);
    const grant = existing ?? new provider.Grant({ accountId, clientId });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } =
      interaction.prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  }

  router.get('/interaction/:uid', async (req, res) => {
    const interaction = await details(req, res);
    if (interaction === undefined) return;
    if (interaction.prompt.name === 'consent') {
      await finishConsent(req, res, interaction);
      return;
    }
    const email = stringParam(interaction.params['login_hint']);
    const page =
      interaction.params['screen_hint'] === 'signup'
        ? signUpPage({ uid: interaction.uid, email })
        : loginPage({ uid: interaction.uid, email });
    sendPage(res, 200, page);
  });

  router.get('/interaction/:uid/login', async (req, res) => {
    const interaction = await details(req, res);
    if (interaction === undefined) return;
    sendPage(res, 200, loginPage({ uid: interaction.uid }));
  });

  router.get('/interaction/:uid/signup', async (req, res) => {
    const interaction = await details(req, res);
    if (interaction === undefined) return;
    sendPage(res, 200, signUpPage({ uid: interaction.uid }));
  });

  router.post('/interaction/:uid/login', form, async (req, res) => {
    const interaction = await details(req, res);
    if (interaction === undefined) return;
    const email = formField(req.body, 'username');
    const account = await accounts.verify(email, formField(req.body, 'password'));
    if (account === undefined) {
      sendPage(
        res,
        401,
        loginPage({ uid: interaction.uid, email, error: 'Wrong email or password.' }),
      );
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.id } },
      { mergeWithLastSubmission: false },
    );
  });

  router.post('/interaction/:uid/signup', form, async (req, res) => {
    const interaction = await details(req, res);
    if (interaction === undefined) return;
    const email = formField(req.body, 'username');
    const name = formField(req.body, 'name');
    const result = await accounts.signUp({
      email,
      password: formField(req.body, 'password'),
      name,
    });
    if (!result.ok) {
      sendPage(
        res,
        400,
        signUpPage({
          uid: interaction.uid,
          email,
          name,
          error: result.message,
          loginInstead: result.reason === 'exists',
        }),
      );
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: result.account.id } },
      { mergeWithLastSubmission: false },
    );
  });

  return router;
}

/** Start the identity provider on 127.0.0.1 (port 0 = any free port). The issuer carries the real port. */
export async function startIdentityProvider(
  options: IdentityProviderOptions = {},
): Promise<IdentityProvider> {
  const accessTokenTtl = options.accessTokenTtl ?? DEFAULT_ACCESS_TOKEN_TTL;
  if (!Number.isSafeInteger(accessTokenTtl) || accessTokenTtl <= 0) {
    throw new TypeError('accessTokenTtl must be a positive integer (seconds)');
  }
  const persistence = options.persistence;
  const [accounts, jwk] = await Promise.all([
    AccountStore.withDemoAccounts(persistence?.accounts),
    persistence?.signingKey ?? createSigningKey(),
  ]);

  // Listen first: the issuer must name the real port.
  const tls = options.tls;
  const server: DevstackServer =
    tls === undefined ? createServer() : createTlsServer({ cert: tls.cert, key: tls.key });
  const port = await listenOnLoopback(server, options.port ?? 0, 'identity provider');
  const issuer =
    tls === undefined
      ? `http://${LOOPBACK_HOST}:${port}`
      : `https://${tls.host ?? LOOPBACK_HOST}:${port}`;

  const provider = new Provider(
    issuer,
    buildConfiguration({
      accounts,
      accessTokenTtl,
      jwk,
      cookieKeys: persistence?.cookieKeys ?? createCookieKeys(),
      dpopNonceSecret: persistence?.dpopNonceSecret ?? createNonceSecret(),
      adapter: persistence?.adapter,
      requireDpopNonce: options.requireDpopNonce ?? true,
      deviceCodeTtl: options.deviceCodeTtl ?? DEFAULT_DEVICE_CODE_TTL,
    }),
  );

  // oidc-provider leaves `interval` out of the device authorization response (the client then waits
  // 5 s, RFC 8628 §3.2); stating it lets tests poll faster.
  const deviceCodeInterval = options.deviceCodeInterval ?? 5;
  provider.on('device_authorization.success', (_ctx: unknown, body: Record<string, unknown>) => {
    body['interval'] = deviceCodeInterval;
  });

  const tokenCounts = new Map<string, number>();
  provider.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      const oidc = ctx.oidc as OIDCContext | undefined;
      if (oidc?.route === 'token') {
        const grantType = stringParam(oidc.body?.['grant_type']) ?? '(none)';
        tokenCounts.set(grantType, (tokenCounts.get(grantType) ?? 0) + 1);
      }
    }
  });

  if (!options.quiet) {
    provider.on('server_error', (_ctx: unknown, error: unknown) => {
      console.error('[devstack] identity provider error:', error);
    });
  }

  const app = express();
  app.disable('x-powered-by');
  app.use(interactionRoutes(provider, accounts));
  app.use(provider.callback());
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (!options.quiet) console.error('[devstack] interaction error:', error);
    if (!res.headersSent) sendPage(res, 500, errorPage('server_error', 'The sign-in page failed.'));
  });
  server.on('request', app);

  return {
    issuer,
    port,
    accounts,
    provider,
    tokenRequests: (grantType) => tokenCounts.get(grantType) ?? 0,
    close: () => closeServer(server),
  };
}
