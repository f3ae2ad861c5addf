// The Hello World message API with the exact contract of Auth0's "Hello World API" samples,
// protected by Auth0's own middleware (express-oauth2-jwt-bearer).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns';
import { Agent as HttpAgent, STATUS_CODES, createServer } from 'node:http';
import { Agent as HttpsAgent, createServer as createTlsServer } from 'node:https';
import type { LookupFunction } from 'node:net';
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  InsufficientScopeError,
  InvalidTokenError,
  UnauthorizedError,
  auth,
  claimCheck,
} from 'express-oauth2-jwt-bearer';
import { ADMIN_PERMISSION } from './accounts.ts';
import {
  LOOPBACK_HOST,
  closeServer,
  listenOnLoopback,
  type DevstackServer,
  type ServerTls,
} from './net.ts';

export const MESSAGES = Object.freeze({
  public: 'This is a public message.',
  protected: 'This is a protected message.',
  admin: 'This is an admin message.',
});

export interface MessageApiOptions {
  /** Issuer URL (`http://127.0.0.1:4000`, `https://tenant.auth0.com/`); discovery and JWKS come from it. */
  issuer: string;
  /** API identifier expected in `aud`. */
  audience: string;
  /** Seconds of clock skew allowed on `exp` (express-oauth2-jwt-bearer's default: 5). */
  clockTolerance?: number;
  /**
   * DPoP requests must carry this API's nonce (RFC 9449 §9): a proof without a current one is answered
   * 401 `use_dpop_nonce` with a `DPoP-Nonce` header. Default false; the devstack turns it on.
   */
  requireDpopNonce?: boolean;
  /** 32 bytes the nonces are derived from (kept by a devstack with a dataDir); default: random. */
  dpopNonceSecret?: Buffer;
  /**
   * The devstack's own provider over HTTPS: trust this CA (PEM) for its discovery and keys, and reach
   * these host names of it on 127.0.0.1 (they may resolve nowhere else, e.g. only through a proxy).
   */
  issuerTrust?: { ca: string; hosts: readonly string[] };
}

export interface MessageApiServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The API's view of an `AUTH0_DOMAIN` setting: a bare tenant domain means `https://<domain>/`;
 * a full URL (an `https://` issuer, or `http://127.0.0.1:…` for loopback) is used as given.
 */
export function issuerFromDomain(domain: string): string {
  const trimmed = domain.trim();
  if (/^https?:\/\//iu.test(trimmed)) return trimmed;
  return `https://${trimmed.replace(/\/+$/u, '')}/`;
}

function setApiHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
  });
  next();
}

/** Like the samples' checkRequiredPermissions: a missing permission is 403 (claimIncludes would give 401). */
function requirePermissions(...required: string[]) {
  return claimCheck((payload) => {
    const granted = Array.isArray(payload['permissions'])
      ? (payload['permissions'] as unknown[])
      : [];
    if (!required.every((permission) => granted.includes(permission))) {
      throw new InsufficientScopeError(required);
    }
    return true;
  });
}

/** The payload of a compact JWS, or undefined: the proof's signature is checked by the middleware. */
function unverifiedPayload(jws: unknown): Record<string, unknown> | undefined {
  if (typeof jws !== 'string') return undefined;
  try {
    const payload: unknown = JSON.parse(
      Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function usesDpopScheme(req: Request): boolean {
  return /^dpop /i.test(req.get('authorization') ?? '');
}

const NONCE_STEP_SECONDS = 60;

/**
 * Server-provided DPoP nonces (RFC 9449 §9): an HMAC of the current minute, accepted for that minute
 * and the two before it. A request whose proof lacks a current nonce gets 401 `use_dpop_nonce` and the
 * nonce to use; a request with an older (still accepted) nonce gets the current one in `DPoP-Nonce`.
 */
function dpopNonces(secret: Buffer = randomBytes(32)) {
  const nonceAt = (step: number) =>
    createHmac('sha256', secret).update(`dpop-nonce:${step}`).digest('base64url');
  const step = () => Math.floor(Date.now() / 1000 / NONCE_STEP_SECONDS);
  const accepted = (nonce: unknown) => {
    if (typeof nonce !== 'string') return false;
    const given = Buffer.from(nonce);
    const now = step();
    return [now, now - 1, now - 2].some((candidate) => {
      const expected = Buffer.from(nonceAt(candidate));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  };
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!usesDpopScheme(req)) {
      next();
      return;
    }
    const current = nonceAt(step());
    const nonce = unverifiedPayload(req.get('dpop'))?.['nonce'];
    if (!accepted(nonce)) {
      res
        .status(401)
        .set({
          'WWW-Authenticate':
            'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof", algs="ES256 PS256 RS256 EdDSA"',
          'DPoP-Nonce': current,
        })
        .json({ message: 'DPoP nonce required' });
      return;
    }
    if (nonce !== current) res.set('DPoP-Nonce', current);
    next();
  };
}

/**
 * A DPoP proof is for one request (RFC 9449 §11.1): its `jti` is remembered for as long as its `iat`
 * is accepted (express-oauth2-jwt-bearer's window: 300 s back, 30 s ahead), and a replay is refused
 * the way the middleware refuses any other bad proof (400 invalid_dpop_proof). Runs after the
 * middleware verified the proof, so only genuine proofs are remembered.
 */
function rejectReplayedProofs() {
  const seen = new Map<string, number>();
  const windowMs = (300 + 30 + 5) * 1000;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!usesDpopScheme(req)) {
      next();
      return;
    }
    const jti = unverifiedPayload(req.get('dpop'))?.['jti'];
    const now = Date.now();
    if (seen.size > 10_000) {
      for (const [key, expires] of seen) if (expires <= now) seen.delete(key);
    }
    if (typeof jti !== 'string' || (seen.get(jti) ?? 0) > now) {
      res
        .status(400)
        .set(
          'WWW-Authenticate',
          'DPoP error="invalid_dpop_proof", error_description="DPoP proof replayed", algs="ES256 PS256 RS256 EdDSA"',
        )
        .json({ message: 'Bad credentials' });
      return;
    }
    seen.set(jti, now + windowMs);
    next();
  };
}

function errorHandler(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) return;
  if (error instanceof UnauthorizedError) {
    res.set(error.headers ?? {});
    // Subclasses first: InsufficientScopeError and InvalidTokenError both extend UnauthorizedError.
    // A DPoP proof that fails its checks (htm, htu, ath, iat, signature) is the middleware's
    // InvalidProofError (not exported): 400 invalid_dpop_proof, and bad credentials all the same.
    const message =
      error instanceof InsufficientScopeError
        ? 'Permission denied'
        : error instanceof InvalidTokenError ||
            (error as { code?: unknown }).code === 'invalid_dpop_proof'
          ? 'Bad credentials'
          : 'Requires authentication';
    res.status(error.status).json({ message });
    return;
  }
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).json({ message: STATUS_CODES[status] ?? 'Bad Request' });
    return;
  }
  res.status(500).json({ message: 'Internal Server Error' });
}

export function createMessageApi({
  issuer,
  audience,
  clockTolerance = 5,
  requireDpopNonce = false,
  dpopNonceSecret,
  issuerTrust,
}: MessageApiOptions): express.Express {
  if (dpopNonceSecret !== undefined && dpopNonceSecret.length !== 32)
    throw new TypeError('dpopNonceSecret must be 32 bytes');
  // Bearer and DPoP tokens (Auth0's middleware, RFC 9449 §7): a DPoP-bound token (`cnf.jkt`) is only
  // accepted as `Authorization: DPoP` with a valid proof from its key, never as a plain bearer token.
  const verifyToken = auth({
    issuerBaseURL: issuer,
    audience,
    tokenSigningAlg: 'RS256',
    clockTolerance,
    dpop: { enabled: true, required: false },
    // An agent of its own either way: Node's global agent obeys NODE_USE_ENV_PROXY (read when the
    // process starts) and would ask a proxy for the loopback provider's discovery and keys.
    agent:
      issuerTrust === undefined ? new HttpAgent({ keepAlive: true }) : issuerAgent(issuerTrust),
  });
  const validateAccessToken: RequestHandler[] = [
    ...(requireDpopNonce ? [dpopNonces(dpopNonceSecret)] : []),
    verifyToken,
    rejectReplayedProofs(),
  ];

  const app = express();
  app.disable('x-powered-by');
  app.set('json spaces', 0);
  app.use(setApiHeaders);

  const messages = express.Router();
  messages.get('/public', (_req, res) => {
    res.json({ text: MESSAGES.public });
  });
  messages.get('/protected', ...validateAccessToken, (_req, res) => {
    res.json({ text: MESSAGES.protected });
  });
  messages.get(
    '/admin',
    ...validateAccessToken,
    requirePermissions(ADMIN_PERMISSION),
    (_req, res) => {
      res.json({ text: MESSAGES.admin });
    },
  );
  app.use('/api/messages', messages);

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ message: 'Not Found' });
  });
  app.use(errorHandler);
  return app;
}

/** An agent for the devstack's own HTTPS provider: its CA only, its names on 127.0.0.1. */
function issuerAgent(trust: { ca: string; hosts: readonly string[] }): HttpsAgent {
  const names = new Set(trust.hosts.map((host) => host.toLowerCase()));
  const lookup = ((hostname, options, callback) => {
    if (!names.has(hostname.toLowerCase())) {
      dnsLookup(hostname, options, callback);
    } else if (options.all) {
      (callback as (error: null, addresses: Array<{ address: string; family: number }>) => void)(
        null,
        [{ address: LOOPBACK_HOST, family: 4 }],
      );
    } else {
      callback(null, LOOPBACK_HOST, 4);
    }
  }) as LookupFunction;
  return new HttpsAgent({ ca: trust.ca, lookup });
}

/** Serve the API on 127.0.0.1 (port 0 = any free port); over HTTPS with `tls` (its URL names `tls.host`). */
export async function startMessageApi(
  options: MessageApiOptions & { port?: number; tls?: ServerTls },
): Promise<MessageApiServer> {
  const app = createMessageApi(options);
  const tls = options.tls;
  const server: DevstackServer =
    tls === undefined ? createServer(app) : createTlsServer({ cert: tls.cert, key: tls.key }, app);
  const port = await listenOnLoopback(server, options.port ?? 0, 'Hello World API');
  return {
    url:
      tls === undefined
        ? `http://${LOOPBACK_HOST}:${port}`
        : `https://${tls.host ?? LOOPBACK_HOST}:${port}`,
    port,
    close: () => closeServer(server),
  };
}
