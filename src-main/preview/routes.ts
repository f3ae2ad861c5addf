/**
 * The preview's endpoints besides the renderer's files: the bridge (one POST per contract channel,
 * the event stream) and the capture-mode test endpoints. Every path here is under `/__bridge/` or
 * `/__preview/`, so only a request carrying the key reaches them (access.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Channel } from '../../src-preload/contract.ts';
import type { CoreHost } from '../core/host.ts';
import { CHANNELS } from '../core/index.ts';
import { accessFor, type Access } from './access.ts';
import { broadcast, openEventStream } from './events.ts';
import { isJsonRequest, MAX_BODY_BYTES, readBody, sendJson } from './http.ts';

/** What a route may use of the running preview. */
export interface RouteContext {
  core: CoreHost;
  /** The open event streams. */
  clients: Set<ServerResponse>;
  /** URLs the core asked to open (capture mode). */
  externalUrls: string[];
  /** What the core put on the clipboard (capture mode). */
  clipboard: string[];
  /** Versions "Restart to update" would have installed (capture mode shows them). */
  installs: string[];
  /** Capture mode (tests): the `/__preview/*` endpoints answer. */
  capture: boolean;
}

interface Route {
  method: 'GET' | 'POST';
  path: string;
  handle(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> | void;
}

const notFound = (res: ServerResponse) => sendJson(res, 404, { message: 'Not Found' });

/** Every endpoint the preview answers besides the renderer's files. */
const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/__bridge/events',
    handle: (_req, res, ctx) => openEventStream(res, ctx.clients, ctx.core.view()),
  },
  ...CHANNELS.map((channel): Route => ({
    method: 'POST',
    path: `/__bridge/${channel}`,
    handle: (req, res, ctx) => callChannel(channel, req, res, ctx),
  })),
  // Capture mode only (tests): the URLs the app would have opened, logout URL with id_token_hint
  // included.
  {
    method: 'GET',
    path: '/__preview/external-urls',
    handle: (_req, res, ctx) =>
      ctx.capture ? sendJson(res, 200, ctx.externalUrls) : notFound(res),
  },
  // Capture mode only (tests): what the app put on the clipboard (Electron's clipboard.writeText in
  // the app), e.g. the sign-in link, which never reaches the page.
  {
    method: 'GET',
    path: '/__preview/clipboard',
    handle: (_req, res, ctx) => (ctx.capture ? sendJson(res, 200, ctx.clipboard) : notFound(res)),
  },
  // Capture mode only (tests): the versions "Restart to update" installed (the Electron app quits
  // and runs the installer at that step; the preview records it).
  {
    method: 'GET',
    path: '/__preview/installs',
    handle: (_req, res, ctx) => (ctx.capture ? sendJson(res, 200, ctx.installs) : notFound(res)),
  },
  // Capture mode only (tests): a test chooses the Electron app menu's Settings… item. The answer
  // says how many open windows were told, so a test can wait until its page is listening.
  {
    method: 'POST',
    path: '/__preview/menu/open-settings',
    handle: (req, res, ctx) => {
      if (!ctx.capture) return notFound(res);
      if (!isJsonRequest(req)) return sendJson(res, 415, { message: 'JSON only.' });
      return sendJson(res, 200, { delivered: broadcast(ctx.clients, 'app:open-settings', null) });
    },
  },
  // Capture mode only (tests): the OS handing the app a URL of its scheme (macOS open-url, the argv
  // of a launch elsewhere), i.e. the app link's redirect. Like the OS, it tells the sender nothing
  // about what the app made of it: the core takes it only while an app-link sign-in waits
  // (app-link.ts).
  {
    method: 'POST',
    path: '/__preview/open-url',
    handle: (req, res, ctx) => deliverOpenUrl(req, res, ctx),
  },
];

/** The endpoint table as data, for tests that must reach every endpoint. */
export const PREVIEW_ENDPOINTS: readonly {
  method: 'GET' | 'POST';
  path: string;
  access: Access;
}[] = ROUTES.map(({ method, path }) => ({ method, path, access: accessFor(path) }));

/** Answers a request the access checks let through to an endpoint (`pathname` decoded). */
export function answerEndpoint(
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RouteContext,
): Promise<void> | void {
  const route = ROUTES.find((candidate) => candidate.path === pathname);
  if (!route)
    return sendJson(res, 404, {
      ok: false,
      error: { code: 'invalid_request', message: 'Unknown request.' },
    });
  if (req.method !== route.method) return sendJson(res, 405, { message: 'Method not allowed.' });
  return route.handle(req, res, ctx);
}

/**
 * The body, or undefined once a 413 with `tooLarge` is sent: a declared length over the limit is
 * refused before a byte of the body is read; an undeclared one, as soon as it passes the limit.
 */
async function readBodyOr413(
  req: IncomingMessage,
  res: ServerResponse,
  tooLarge: unknown,
): Promise<string | undefined> {
  const body =
    Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES ? undefined : await readBody(req);
  if (body === undefined) sendJson(res, 413, tooLarge, { Connection: 'close' });
  return body;
}

const TOO_LARGE = { ok: false, error: { code: 'invalid_request', message: 'Request too large.' } };

async function callChannel(
  channel: Channel,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RouteContext,
): Promise<void> {
  if (!isJsonRequest(req)) return sendJson(res, 415, { message: 'JSON only.' });
  const body = await readBodyOr413(req, res, TOO_LARGE);
  if (body === undefined) return;
  let args: unknown;
  try {
    args = (JSON.parse(body || '{}') as { args?: unknown }).args ?? [];
  } catch {
    return sendJson(res, 400, {
      ok: false,
      error: { code: 'invalid_request', message: 'Invalid JSON.' },
    });
  }
  return sendJson(res, 200, await ctx.core.handle(channel, args));
}

async function deliverOpenUrl(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RouteContext,
): Promise<void> {
  if (!ctx.capture) return notFound(res);
  if (!isJsonRequest(req)) return sendJson(res, 415, { message: 'JSON only.' });
  const body = await readBodyOr413(req, res, { message: 'Request too large.' });
  if (body === undefined) return;
  let url: unknown;
  try {
    url = (JSON.parse(body) as { url?: unknown }).url;
  } catch {
    return sendJson(res, 400, { message: 'Invalid JSON.' });
  }
  if (typeof url !== 'string') return sendJson(res, 400, { message: 'Expected {"url": "..."}.' });
  ctx.core.core?.session.deliverAppLink(url);
  return sendJson(res, 202, {});
}
