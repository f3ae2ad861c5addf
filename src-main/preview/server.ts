/**
 * The browser preview host: the same core as the Electron app, in plain Node, serving the built
 * renderer to a real browser. The preload contract travels over HTTP (requests) and server-sent
 * events (session changes) instead of IPC; the renderer cannot tell the difference.
 *
 * Like the loopback receiver it binds 127.0.0.1 only, and it refuses requests whose Host or Origin
 * is not its own: another page on this machine must not be able to sign the user in or read
 * messages through it.
 *
 * Those checks stop web pages, not another program or user on the machine, which can send any
 * header it likes. So each launch makes a secret key, as notebook servers do: the printed link
 * carries it in the fragment (`/#key=…`, never sent to a server, never in a log or a Referer), the
 * page keeps it in its own tab's sessionStorage and sends it as `X-Preview-Key` on every
 * `/__bridge/*` request and the event stream (read with fetch, so it can carry the header), and the
 * test-only `/__preview/*` endpoints need it too. No cookie: browsers send cookies to every port of
 * 127.0.0.1, so any other local server the user visits would receive an ambient credential (N3);
 * a header is sent only by the page that holds the key. The gate goes by path prefix (`accessFor`),
 * so a new endpoint under either prefix is gated before it is written.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppError, EventName, EventPayloads } from '../../src-preload/contract.ts';
import { startCoreHost, type CoreHost } from '../core/host.ts';
import { CHANNELS } from '../core/index.ts';
import { isLoopbackHostHeader, isLoopbackOrigin, LOOPBACK_HOST } from '../core/loopback.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../core/node-storage.ts';
import type { Cipher, Logger, OpenExternal } from '../core/ports.ts';
import { redactingLogger } from '../core/redact.ts';
import { openLinkThroughFile } from './open-link.ts';
import { CONFIRM_PREFIX, SwitchConfirmations } from './switch-confirmation.ts';
import type { SessionOptions } from '../core/session.ts';

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
const MAX_BODY_BYTES = 16 * 1024;

/** Same policy as the Electron app's production CSP. */
export const PREVIEW_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/** The documented behaviour of safeStorage without an OS keyring: encryption is not available. */
const NO_ENCRYPTION: Cipher = {
  isAvailable: async () => false,
  encrypt: () => Promise.reject(new Error('encryption is not available')),
  decrypt: () => Promise.reject(new Error('encryption is not available')),
};

export interface PreviewOptions {
  env?: NodeJS.ProcessEnv;
  port?: number;
  /** Where the encrypted vault lives; default: a fresh temporary folder. */
  dataDir?: string;
  /** `system`: open URLs in the real browser; `capture`: only record them (for tests). */
  externalBrowser?: 'system' | 'capture';
  rendererDir?: string;
  /**
   * `unavailable` behaves like Electron's safeStorage on a Linux desktop without a keyring (the
   * `basic_text` backend): nothing is persisted and the UI says the session will not be remembered.
   */
  encryption?: 'available' | 'unavailable';
  session?: SessionOptions;
  log?: Logger;
}

export interface Preview {
  /** The preview's address without its key: what a page that holds the key may be reloaded at. */
  url: string;
  /** The link to open (and the one the CLI prints): `url` plus `#key=<key>`. */
  link: string;
  /** This launch's secret (32 random bytes, base64url); the next launch makes another. */
  key: string;
  dataDir: string;
  /** The core host: the running core for the provider the settings name (swapped on Save). */
  core: CoreHost;
  /** URLs the core asked to open, oldest first. */
  externalUrls: string[];
  /** Settles at the first request that carries this launch's key (the link was opened and used). */
  keyUsed: Promise<void>;
  /** Log lines about the provider in use when the preview started. */
  summary: string;
  close(): Promise<void>;
}

export async function startPreview(options: PreviewOptions = {}): Promise<Preview> {
  const env = options.env ?? process.env;
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR;
  if (!existsFile(path.join(rendererDir, 'index.html'))) {
    throw new Error(
      `The renderer is not built (${rendererDir}index.html missing): run "npm run build" first (or "npm run preview", which builds and starts it).`,
    );
  }
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'hello-preview-'));
  const key = randomBytes(32).toString('base64url');
  const externalUrls: string[] = [];
  const clients = new Set<ServerResponse>();
  let markKeyUsed!: () => void;
  const keyUsed = new Promise<void>((resolve) => (markKeyUsed = resolve));
  const openExternal: OpenExternal =
    options.externalBrowser === 'capture'
      ? async (url) => {
          externalUrls.push(url);
        }
      : async (url) => {
          externalUrls.push(url);
          await openInSystemBrowser(url);
        };
  // A switch of provider or API is confirmed on a page of the host's own (switch-confirmation.ts),
  // opened in the browser; like the key, its address goes through an owner-only file, not argv.
  const confirmations = new SwitchConfirmations(
    options.externalBrowser === 'capture'
      ? async (url) => void externalUrls.push(url)
      : async (url) => {
          externalUrls.push(url);
          await openLinkThroughFile(url, {
            open: openFileInSystemBrowser,
            keyUsed: new Promise<void>(() => {}),
          }).opened;
        },
    () => origin,
  );

  // Settings: the environment (and .env), then PREVIEW_APP_CONFIG (the preview's stand-in for an
  // installer's managed app-config.json), then settings.json in the data folder, then the demo
  // provider, which keeps its state beside the session so a restart on the same folder still finds
  // the session's refresh token honoured.
  const core = await startCoreHost({
    env,
    cwd: process.cwd(),
    ...(env.PREVIEW_APP_CONFIG ? { managedConfigFile: path.resolve(env.PREVIEW_APP_CONFIG) } : {}),
    devstackDataDir: path.join(dataDir, 'devstack'),
    settingsStore: new JsonFileStore(path.join(dataDir, 'settings.json')),
    ports: {
      openExternal,
      cipher:
        options.encryption === 'unavailable' ? NO_ENCRYPTION : new KeyFileBesideDataCipher(dataDir),
      store: new JsonFileStore(path.join(dataDir, 'session.json')),
      emit: (session) => broadcast(clients, 'session:changed', session),
      // Capture mode stands in for an OS that routes the app's scheme to this app (POST /__preview/open-url).
      appLinkRegistered: () => options.externalBrowser === 'capture',
      ...(options.log ? { log: options.log } : {}),
    },
    ...(options.session ? { session: options.session } : {}),
    confirmSwitch: (change) => confirmations.ask(change),
  });
  const stop = () => core.close();
  const summary = core.summary;

  const server = createServer((req, res) => {
    handleRequest(req, res, {
      core,
      clients,
      rendererDir,
      externalUrls,
      capture: options.externalBrowser === 'capture',
      origin,
      port,
      key,
      keyUsed: markKeyUsed,
      confirmations,
    }).catch(() => {
      if (!res.headersSent)
        sendJson(res, 500, {
          ok: false,
          error: { code: 'internal', message: 'The preview host failed.' },
        });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: LOOPBACK_HOST }, () => resolve());
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  // As a browser serialises it: no ":80".
  const origin = new URL(`http://${LOOPBACK_HOST}:${port}`).origin;
  // The UI shows "restoring" until this finishes.
  core.restore().catch((error: unknown) =>
    options.log?.error('restoring the session failed', {
      message: error instanceof Error ? error.message : String(error),
    }),
  );

  return {
    url: `${origin}/`,
    link: `${origin}/#key=${key}`,
    key,
    dataDir,
    core,
    externalUrls,
    keyUsed,
    summary,
    async close() {
      // Close the core first (it may still announce a cancelled sign-in; it stops the demo provider
      // too), then the event streams.
      confirmations.close();
      await core.close();
      for (const client of clients) client.end();
      clients.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

interface Context {
  core: CoreHost;
  clients: Set<ServerResponse>;
  rendererDir: string;
  externalUrls: string[];
  capture: boolean;
  origin: string;
  port: number;
  /** This launch's secret. */
  key: string;
  /** Called at each request that carries the key (the first one settles `Preview.keyUsed`). */
  keyUsed: () => void;
  /** Provider switches waiting for the person's answer on the host's own page. */
  confirmations: SwitchConfirmations;
}

/** Who may use a path: anyone (the page's files), or only a request carrying the key in `X-Preview-Key`. */
export type Access = 'anyone' | 'key';

/** Decided by prefix, so an endpoint added under `/__bridge/` or `/__preview/` is gated without a word. */
export function accessFor(pathname: string): Access {
  if (pathname.startsWith('/__bridge/') || pathname.startsWith('/__preview/')) return 'key';
  return 'anyone';
}

interface Route {
  method: 'GET' | 'POST';
  path: string;
  handle(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> | void;
}

/** Every endpoint the preview answers besides the renderer's files. */
const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/__bridge/events',
    handle: (_req, res, ctx) => openEventStream(res, ctx),
  },
  ...CHANNELS.map((channel): Route => ({
    method: 'POST',
    path: `/__bridge/${channel}`,
    handle: (req, res, ctx) => callChannel(channel, req, res, ctx),
  })),
  // Capture mode only (tests): the URLs the app would have opened, logout URL with id_token_hint included.
  {
    method: 'GET',
    path: '/__preview/external-urls',
    handle: (_req, res, ctx) =>
      ctx.capture
        ? sendJson(res, 200, ctx.externalUrls)
        : sendJson(res, 404, { message: 'Not Found' }),
  },
  // Capture mode only (tests): a test chooses the Electron app menu's Settings… item. The answer says
  // how many open windows were told, so a test can wait until its page is listening.
  {
    method: 'POST',
    path: '/__preview/menu/open-settings',
    handle: (req, res, ctx) => {
      if (!ctx.capture) return sendJson(res, 404, { message: 'Not Found' });
      if (!isJsonRequest(req)) return sendJson(res, 415, { message: 'JSON only.' });
      return sendJson(res, 200, { delivered: broadcast(ctx.clients, 'app:open-settings', null) });
    },
  },
  // Capture mode only (tests): the OS handing the app a URL of its scheme (macOS open-url, the argv of
  // a launch elsewhere), i.e. the app link's redirect. Like the OS, it tells the sender nothing about
  // what the app made of it: the core takes it only while an app-link sign-in waits (app-link.ts).
  {
    method: 'POST',
    path: '/__preview/open-url',
    handle: (req, res, ctx) => deliverOpenUrl(req, res, ctx),
  },
];

async function deliverOpenUrl(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: Context,
): Promise<void> {
  if (!ctx.capture) return sendJson(res, 404, { message: 'Not Found' });
  if (!isJsonRequest(req)) return sendJson(res, 415, { message: 'JSON only.' });
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES)
    return sendJson(res, 413, { message: 'Request too large.' }, { Connection: 'close' });
  const body = await readBody(req);
  if (body === undefined)
    return sendJson(res, 413, { message: 'Request too large.' }, { Connection: 'close' });
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

/** The endpoint table as data, for tests that must reach every endpoint. */
export const PREVIEW_ENDPOINTS: readonly {
  method: 'GET' | 'POST';
  path: string;
  access: Access;
}[] = ROUTES.map(({ method, path: route }) => ({
  method,
  path: route,
  access: accessFor(route),
}));

async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: Context,
): Promise<void> {
  // DNS rebinding: a hostile name resolving to 127.0.0.1 carries its own Host header.
  if (!isLoopbackHostHeader(req.headers.host, ctx.port))
    return sendJson(res, 421, { message: 'Wrong host.' });
  // Cross-site requests: browsers send Origin on every POST and on cross-origin GETs.
  if (req.headers.origin !== undefined && !isLoopbackOrigin(req.headers.origin, ctx.port))
    return sendJson(res, 403, { message: 'Cross-origin requests are refused.' });
  // Only origin-form targets ("/path?query"): "//host/path" or "http://host/path" would re-root the URL.
  if (!req.url?.startsWith('/') || req.url.startsWith('//'))
    return sendJson(res, 400, { message: 'Bad request target.' });
  const url = new URL(req.url, ctx.origin);
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return sendJson(res, 400, { message: 'Bad request target.' });
  }
  // The host's own confirmation page: gated by its one-time id, not by the key (switch-confirmation.ts).
  if (url.pathname.startsWith(CONFIRM_PREFIX))
    return ctx.confirmations.handle(req, res, url.pathname);
  // Gate on both spellings: "/__bridge%2F…" must not slip past as a file name.
  const access =
    accessFor(url.pathname) !== 'anyone' ? accessFor(url.pathname) : accessFor(pathname);
  // Fetch metadata: a page of another site (or another port: same-site) may not even reach the bridge
  // with a no-cors request that carries no Origin (<img>, <script>); only the app's own pages may.
  const site = req.headers['sec-fetch-site'];
  if (access !== 'anyone' && site !== undefined && site !== 'same-origin' && site !== 'none')
    return sendJson(res, 403, { message: 'Cross-site requests are refused.' });
  // Another program on this machine: only the holder of this launch's key gets further. A cookie,
  // whatever it holds, opens nothing.
  if (access === 'key') {
    if (!sameSecret(headerValues(req, 'x-preview-key'), ctx.key)) return sendLocked(res);
    ctx.keyUsed();
  }

  if (access !== 'anyone') {
    const route = ROUTES.find((candidate) => candidate.path === pathname);
    if (!route)
      return sendJson(res, 404, {
        ok: false,
        error: { code: 'invalid_request', message: 'Unknown request.' },
      });
    if (req.method !== route.method) return sendJson(res, 405, { message: 'Method not allowed.' });
    return route.handle(req, res, ctx);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return sendJson(res, 405, { message: 'Method not allowed.' });
  return serveStatic(pathname, res, ctx.rendererDir);
}

/** A JSON content type cannot be sent cross-site without a CORS preflight, which we never grant. */
function isJsonRequest(req: IncomingMessage): boolean {
  return /^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '');
}

async function callChannel(
  channel: string,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: Context,
): Promise<void> {
  if (!isJsonRequest(req)) return sendJson(res, 415, { message: 'JSON only.' });
  // A declared length over the limit is refused before a byte of the body is read.
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    return sendJson(
      res,
      413,
      { ok: false, error: { code: 'invalid_request', message: 'Request too large.' } },
      { Connection: 'close' },
    );
  }
  const body = await readBody(req);
  if (body === undefined)
    return sendJson(
      res,
      413,
      { ok: false, error: { code: 'invalid_request', message: 'Request too large.' } },
      { Connection: 'close' },
    );
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

/** What a request without this launch's key gets; the page shows the message. */
export const LOCKED_MESSAGE =
  'This preview answers only a browser that opened the link printed in the terminal, and each launch prints a new one: open the line "Preview: http://127.0.0.1:…/#key=…".';

function sendLocked(res: ServerResponse): void {
  const error: AppError = { code: 'preview_locked', message: LOCKED_MESSAGE };
  sendJson(res, 401, { ok: false, error }, { 'WWW-Authenticate': 'X-Preview-Key realm="preview"' });
}

function headerValues(req: IncomingMessage, name: string): string[] {
  const value = req.headers[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Constant-time: compares SHA-256 digests, so neither the content nor the length leaks through timing. */
function sameSecret(candidates: string[], key: string): boolean {
  const expected = createHash('sha256').update(key).digest();
  let match = false;
  for (const candidate of candidates) {
    if (timingSafeEqual(createHash('sha256').update(candidate).digest(), expected)) match = true;
  }
  return match;
}

function openEventStream(res: ServerResponse, ctx: Context): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  ctx.clients.add(res);
  res.on('close', () => ctx.clients.delete(res));
  res.write(eventFrame('session:changed', ctx.core.view()));
}

/** Sends one event to every open stream; returns how many were told. */
function broadcast<E extends EventName>(
  clients: Set<ServerResponse>,
  name: E,
  payload: EventPayloads[E],
): number {
  const frame = eventFrame(name, payload);
  let delivered = 0;
  for (const client of clients) {
    if (client.writableEnded) continue;
    client.write(frame);
    delivered += 1;
  }
  return delivered;
}

function eventFrame<E extends EventName>(name: E, payload: EventPayloads[E]): string {
  return `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** `pathname` is already percent-decoded. */
function serveStatic(pathname: string, res: ServerResponse, rendererDir: string): void {
  const root = path.resolve(rendererDir);
  const relative = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = path.resolve(root, relative);
  // Path traversal: only files inside the renderer folder are served (no NUL, no "..", no backslash tricks).
  if (relative.includes('\0') || !file.startsWith(root + path.sep) || !existsFile(file)) {
    return sendJson(res, 404, { message: 'Not Found' });
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': PREVIEW_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  });
  res.end(readFileSync(file));
}

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(JSON.stringify(value));
}

/**
 * Reads a body up to MAX_BODY_BYTES; beyond that undefined, and nothing more is read (the caller
 * answers 413 with `Connection: close`, which ends the connection).
 */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.pause();
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function existsFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The preview CLI's console logger: `[core] message {fields}`, every line redacted first. */
export function createPreviewConsoleLogger(prefix = 'core'): Logger {
  return redactingLogger({
    info: (message, fields) => console.log(`[${prefix}] ${message}`, fields ?? ''),
    warn: (message, fields) => console.warn(`[${prefix}] ${message}`, fields ?? ''),
    error: (message, fields) => console.error(`[${prefix}] ${message}`, fields ?? ''),
  });
}

/** Opens an http(s) URL in the user's default browser, without a shell. */
export function openInSystemBrowser(url: string): Promise<void> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return Promise.reject(new Error('Only http(s) URLs are opened.'));
  return runOpener(parsed.href);
}

/** Opens a local HTML file (the CLI's owner-only redirect to its link: open-link.ts), as `file://`. */
export function openFileInSystemBrowser(fileUrl: string): Promise<void> {
  const parsed = new URL(fileUrl);
  if (parsed.protocol !== 'file:')
    return Promise.reject(new Error('Only file:// URLs are opened.'));
  return runOpener(parsed.href);
}

function runOpener(target: string): Promise<void> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [target]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', target]]
        : ['xdg-open', [target]];
  // Detached, its output ignored and not waited for by this process: without a desktop environment
  // xdg-open runs the browser in the foreground and only exits with it. The promise settles when the
  // opener exits (or cannot start); the core never waits for it before listening for the callback.
  return new Promise((resolve, reject) => {
    const opener = spawn(command, args as string[], {
      detached: true,
      stdio: 'ignore',
      windowsHide: true,
    });
    opener.once('error', (error) =>
      reject(new Error(`Could not open the browser (${command}): ${error.message}`)),
    );
    opener.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `Could not open the browser (${command} ended with ${signal ?? `exit code ${code}`}).`,
            ),
          ),
    );
    opener.unref();
  });
}
