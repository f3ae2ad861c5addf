// The Hello World message API with the exact contract of Auth0's "Hello World API" samples,
// protected by Auth0's own middleware (express-oauth2-jwt-bearer).
import { STATUS_CODES, createServer } from 'node:http';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import {
  InsufficientScopeError,
  InvalidTokenError,
  UnauthorizedError,
  auth,
  claimCheck,
} from 'express-oauth2-jwt-bearer';
import { ADMIN_PERMISSION } from './accounts.ts';
import { LOOPBACK_HOST, closeServer, listenOnLoopback } from './net.ts';

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
    const granted = Array.isArray(payload['permissions']) ? (payload['permissions'] as unknown[]) : [];
    if (!required.every((permission) => granted.includes(permission))) {
      throw new InsufficientScopeError(required);
    }
    return true;
  });
}

function errorHandler(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) return;
  if (error instanceof UnauthorizedError) {
    res.set(error.headers ?? {});
    // Subclasses first: InsufficientScopeError and InvalidTokenError both extend UnauthorizedError.
    const message = error instanceof InsufficientScopeError
      ? 'Permission denied'
      : error instanceof InvalidTokenError ? 'Bad credentials' : 'Requires authentication';
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

export function createMessageApi({ issuer, audience, clockTolerance = 5 }: MessageApiOptions): express.Express {
  const validateAccessToken = auth({ issuerBaseURL: issuer, audience, tokenSigningAlg: 'RS256', clockTolerance });

  const app = express();
  app.disable('x-powered-by');
  app.set('json spaces', 0);
  app.use(setApiHeaders);

  const messages = express.Router();
  messages.get('/public', (_req, res) => {
    res.json({ text: MESSAGES.public });
  });
  messages.get('/protected', validateAccessToken, (_req, res) => {
    res.json({ text: MESSAGES.protected });
  });
  messages.get('/admin', validateAccessToken, requirePermissions(ADMIN_PERMISSION), (_req, res) => {
    res.json({ text: MESSAGES.admin });
  });
  app.use('/api/messages', messages);

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ message: 'Not Found' });
  });
  app.use(errorHandler);
  return app;
}

/** Serve the API on 127.0.0.1 (port 0 = any free port). */
export async function startMessageApi(options: MessageApiOptions & { port?: number }): Promise<MessageApiServer> {
  const server = createServer(createMessageApi(options));
  const port = await listenOnLoopback(server, options.port ?? 0, 'Hello World API');
  return {
    url: `http://${LOOPBACK_HOST}:${port}`,
    port,
    close: () => closeServer(server),
  };
}
