/**
 * A hostile OpenID Provider for attack tests: it looks like a real one (discovery with the RFC 9207
 * `iss` parameter advertised, a JWKS, an authorization endpoint, a token endpoint) and answers with
 * whatever the current scenario crafts: forged ID tokens, a mismatched `iss` on the authorization
 * response (mix-up), missing pieces. It listens on 127.0.0.1 only, and the test drives it in place of
 * the browser: `authorize(url)` follows the authorization URL the core opened and returns the
 * callback URL the provider redirects to.
 *
 * JWTs are made with node:crypto directly, so every byte an attack needs is under the test's control.
 */
import { createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const HOSTILE_CLIENT_ID = 'hostile-test-client';

/** What the provider saw in the authorization request that led to the current code. */
export interface AuthorizationSeen {
  state: string;
  nonce: string;
  redirectUri: string;
  codeChallenge: string;
  code: string;
}

export interface TokenContext extends AuthorizationSeen {
  issuer: string;
  clientId: string;
  /** The token request's form body. */
  form: URLSearchParams;
}

export interface Scenario {
  /**
   * The `iss` on the authorization response: default the provider's issuer; `null` leaves it out
   * (although discovery says it is always sent).
   */
  responseIss?: string | null;
  /** The token endpoint's JSON answer; default: a valid response (see `validTokenResponse`). */
  tokenResponse?(context: TokenContext, provider: HostileProvider): Record<string, unknown>;
  /**
   * The answer to a refresh grant (the context is the sign-in's, `form` the refresh request's);
   * default: a valid response whose ID token names the same user (no `nonce`: none is expected).
   */
  refreshResponse?(context: TokenContext, provider: HostileProvider): Record<string, unknown>;
  /** Sign in with a code (RFC 8628): `interval` in the device authorization response (default 1). */
  deviceInterval?: number;
  /** Answers to successive device code polls, in order; once used up, valid tokens. */
  deviceAnswers?: DeviceAnswer[];
  /**
   * The revocation endpoint's answer (RFC 7009); default 200. A provider that requires client
   * authentication for revocation answers a public client 401 `invalid_client`.
   */
  revocation?: DeviceAnswer;
}

/** One answer of the token endpoint to a device code poll. */
export interface DeviceAnswer {
  status: number;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface HostileProvider {
  issuer: string;
  clientId: string;
  /** The signing key's id, as published in the JWKS. */
  kid: string;
  /** The public key published in the JWKS, as PEM (what an alg-confusion attacker would HMAC with). */
  publicKeyPem: string;
  /** Sets what the next authorization and token requests get. */
  use(scenario: Scenario): void;
  /** Requests the token endpoint received since start. */
  tokenRequests: number;
  /** When each device code poll arrived (ms since the epoch), since the last `use`. */
  devicePolls: number[];
  /** The form of each revocation request, since the last `use`. */
  revocations: URLSearchParams[];
  /** The form of each token request (any grant) and device authorization request, since the last `use`. */
  tokenForms: URLSearchParams[];
  deviceAuthorizations: URLSearchParams[];
  /** Follows an authorization URL like a browser and returns the redirect it answers with. */
  authorize(authorizationUrl: string): Promise<URL>;
  /** ID token claims that pass every check for `context`, with `overrides` applied. */
  claims(context: TokenContext, overrides?: Record<string, unknown>): Record<string, unknown>;
  /**
   * Signs `claims` with the published key (RS256), or with `options.key` while claiming the
   * published kid.
   */
  signRs256(claims: Record<string, unknown>, options?: { key?: KeyObject; kid?: string }): string;
  /** An unsecured JWT: `alg: none`, empty signature. */
  signNone(claims: Record<string, unknown>): string;
  /** HS256 keyed with the public key's PEM bytes: the classic algorithm-confusion forgery. */
  signHs256WithPublicKey(claims: Record<string, unknown>): string;
  /** A valid token response for `context`, with `idToken` replacing the ID token when given (null: none). */
  validTokenResponse(context: TokenContext, idToken?: string | null): Record<string, unknown>;
  close(): Promise<void>;
}

const b64u = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const random = () => randomBytes(24).toString('base64url');

function jwt(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  signer: (input: string) => Buffer | string,
): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  const signature = signer(input);
  return `${input}.${typeof signature === 'string' ? signature : signature.toString('base64url')}`;
}

export async function startHostileProvider(): Promise<HostileProvider> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `k-${random().slice(0, 8)}`;
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
  const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();

  let scenario: Scenario = {};
  let seen: AuthorizationSeen | undefined;
  let issuer = '';

  const server = createServer((req, res) => {
    try {
      route(req, res);
    } catch (error) {
      json(res, 500, { error: 'server_error', error_description: String(error) });
    }
  });

  function route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        // Tempting the client with weak algorithms: it must still insist on a verifiable signature.
        id_token_signing_alg_values_supported: ['RS256', 'HS256', 'none'],
        code_challenge_methods_supported: ['S256'],
        grant_types_supported: [
          'authorization_code',
          'refresh_token',
          'urn:ietf:params:oauth:grant-type:device_code',
        ],
        device_authorization_endpoint: `${issuer}/device/auth`,
        revocation_endpoint: `${issuer}/revoke`,
        token_endpoint_auth_methods_supported: ['none'],
        authorization_response_iss_parameter_supported: true,
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      });
    }
    if (url.pathname === '/jwks') return json(res, 200, { keys: [publicJwk] });
    if (url.pathname === '/authorize') {
      const p = url.searchParams;
      seen = {
        state: p.get('state') ?? '',
        nonce: p.get('nonce') ?? '',
        redirectUri: p.get('redirect_uri') ?? '',
        codeChallenge: p.get('code_challenge') ?? '',
        code: random(),
      };
      const back = new URL(seen.redirectUri);
      back.searchParams.set('code', seen.code);
      back.searchParams.set('state', seen.state);
      const iss = scenario.responseIss === undefined ? issuer : scenario.responseIss;
      if (iss !== null) back.searchParams.set('iss', iss);
      res.writeHead(302, { Location: back.href, 'Cache-Control': 'no-store' });
      return void res.end();
    }
    if (url.pathname === '/device/auth' && req.method === 'POST') {
      onForm(req, (form) => {
        provider.deviceAuthorizations.push(form);
        json(res, 200, {
          device_code: `hostile-device-${random()}`,
          user_code: 'WXYZ-BCDF',
          verification_uri: `${issuer}/device`,
          expires_in: 120,
          interval: scenario.deviceInterval ?? 1,
        });
      });
      return;
    }
    if (url.pathname === '/revoke' && req.method === 'POST') {
      onForm(req, (form) => {
        provider.revocations.push(form);
        const answer = scenario.revocation ?? { status: 200 };
        res.writeHead(answer.status, {
          'Content-Type': 'application/json',
          'Cache-Control': 'no-store',
          ...answer.headers,
        });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      onForm(req, (form) => {
        provider.tokenRequests++;
        provider.tokenForms.push(form);
        if (form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:device_code') {
          provider.devicePolls.push(Date.now());
          const answer = scenario.deviceAnswers?.shift();
          if (answer) {
            res.writeHead(answer.status, {
              'Content-Type': 'application/json',
              'Cache-Control': 'no-store',
              ...answer.headers,
            });
            return void res.end(JSON.stringify(answer.body ?? {}));
          }
          const context: TokenContext = {
            state: '',
            nonce: '',
            redirectUri: '',
            codeChallenge: '',
            code: '',
            issuer,
            clientId: HOSTILE_CLIENT_ID,
            form,
          };
          return json(
            res,
            200,
            provider.validTokenResponse(
              context,
              provider.signRs256(provider.claims(context, { nonce: undefined })),
            ),
          );
        }
        if (seen && form.get('grant_type') === 'refresh_token') {
          const context: TokenContext = { ...seen, issuer, clientId: HOSTILE_CLIENT_ID, form };
          const answer =
            scenario.refreshResponse ??
            ((c) =>
              provider.validTokenResponse(
                c,
                provider.signRs256(provider.claims(c, { nonce: undefined })),
              ));
          return json(res, 200, answer(context, provider));
        }
        if (!seen || form.get('code') !== seen.code)
          return json(res, 400, { error: 'invalid_grant' });
        const context: TokenContext = { ...seen, issuer, clientId: HOSTILE_CLIENT_ID, form };
        json(
          res,
          200,
          (scenario.tokenResponse ?? ((c) => provider.validTokenResponse(c)))(context, provider),
        );
      });
      return;
    }
    json(res, 404, { error: 'not_found' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider: HostileProvider = {
    issuer,
    clientId: HOSTILE_CLIENT_ID,
    kid,
    publicKeyPem,
    tokenRequests: 0,
    devicePolls: [],
    revocations: [],
    tokenForms: [],
    deviceAuthorizations: [],
    use(next) {
      scenario = {
        ...next,
        ...(next.deviceAnswers ? { deviceAnswers: [...next.deviceAnswers] } : {}),
      };
      seen = undefined;
      provider.devicePolls = [];
      provider.revocations = [];
      provider.tokenForms = [];
      provider.deviceAuthorizations = [];
    },
    async authorize(authorizationUrl) {
      const response = await fetch(authorizationUrl, { redirect: 'manual' });
      await response.body?.cancel();
      const location = response.headers.get('location');
      if (response.status !== 302 || !location)
        throw new Error(`the hostile provider did not redirect (${response.status})`);
      return new URL(location);
    },
    claims(context, overrides = {}) {
      const now = Math.floor(Date.now() / 1000);
      return {
        iss: context.issuer,
        sub: 'mallory',
        aud: context.clientId,
        exp: now + 600,
        iat: now,
        nonce: context.nonce,
        name: 'Mallory',
        email: 'mallory@evil.example',
        ...overrides,
      };
    },
    signRs256(claims, options = {}) {
      return jwt({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? kid }, claims, (input) =>
        sign('sha256', Buffer.from(input), options.key ?? privateKey),
      );
    },
    signNone(claims) {
      return jwt({ alg: 'none', typ: 'JWT' }, claims, () => '');
    },
    signHs256WithPublicKey(claims) {
      return jwt({ alg: 'HS256', typ: 'JWT', kid }, claims, (input) =>
        createHmac('sha256', publicKeyPem).update(input).digest(),
      );
    },
    validTokenResponse(context, idToken) {
      const answer: Record<string, unknown> = {
        access_token: `hostile-access-${random()}`,
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: `hostile-refresh-${random()}`,
        scope: 'openid profile email offline_access',
      };
      const token = idToken === undefined ? provider.signRs256(provider.claims(context)) : idToken;
      if (token !== null) answer.id_token = token;
      return answer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return provider;
}

/** Calls `then` with the request's form body once it has all arrived. */
function onForm(req: IncomingMessage, then: (form: URLSearchParams) => void): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => then(new URLSearchParams(body)));
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(value));
}
