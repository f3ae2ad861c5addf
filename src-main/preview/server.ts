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
 * a header is sent only by the page that holds the key.
 *
 * This file starts the host and puts its parts together: the access checks (access.ts, pure), the
 * endpoints (routes.ts), the event stream (events.ts), the renderer's files (static-files.ts) and
 * the browser opener (opener.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startCoreHost, type CoreHost } from '../core/host.ts';
import { nodeTransports } from '../core/network/node-transport.ts';
import { LOOPBACK_HOST } from '../core/loopback.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../core/node-storage.ts';
import type { Cipher, Logger, OpenExternal } from '../core/platform.ts';
import { redactingLogger } from '../core/redact.ts';
import type { SessionOptions } from '../core/session.ts';
import { judgeRequest, type Launch } from './access.ts';
import { broadcast } from './events.ts';
import { sendJson } from './http.ts';
import { openLinkThroughFile } from './open-link.ts';
import { openFileInSystemBrowser, openInSystemBrowser } from './opener.ts';
import { answerEndpoint, type RouteContext } from './routes.ts';
import { DEFAULT_RENDERER_DIR, existsFile, serveStatic } from './static-files.ts';
import { SwitchConfirmations } from './switch-confirmation.ts';
import { previewUpdates } from './updates.ts';

export { PREVIEW_ENDPOINTS } from './routes.ts';

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
   * Whether the host has a clipboard of its own (Electron's clipboard.writeText in the app). Default:
   * in capture mode a recording one (`Preview.clipboard`), otherwise none (`npm run preview`).
   */
  clipboard?: boolean;
  /**
   * `unavailable` behaves like Electron's safeStorage on a Linux desktop without a keyring (the
   * `basic_text` backend): nothing is persisted and the UI says the session will not be remembered.
   */
  encryption?: 'available' | 'unavailable';
  session?: SessionOptions;
  /** The version the preview reports for updates (default: package.json's). */
  appVersion?: string;
  /** How often a restart to update that waits for a sign-in asks again (default 1 s). */
  restartPollMs?: number;
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
  /** Capture mode: what the core put on the clipboard (copyText), oldest first. */
  clipboard: string[];
  /** Versions "Restart to update" would have installed (the preview records instead of quitting). */
  installs: string[];
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
      `The renderer is not built (${rendererDir}index.html missing): run "npm run build" first ` +
        '(or "npm run preview", which builds and starts it).',
    );
  }
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'hello-preview-'));
  const key = randomBytes(32).toString('base64url');
  const externalUrls: string[] = [];
  const clipboard: string[] = [];
  const installs: string[] = [];
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
    platform: {
      openExternal,
      cipher:
        options.encryption === 'unavailable' ? NO_ENCRYPTION : new KeyFileBesideDataCipher(dataDir),
      store: new JsonFileStore(path.join(dataDir, 'session.json')),
      emit: (session) => broadcast(clients, 'session:changed', session),
      // Capture mode stands in for an OS that routes the app's scheme to this app
      // (POST /__preview/open-url).
      appLinkRegistered: () => options.externalBrowser === 'capture',
      // Capture mode stands in for Electron's clipboard.writeText (the app's copyText) and records
      // what was copied (GET /__preview/clipboard). Otherwise the preview has no clipboard of its
      // own: Copy code falls back to the page's, and Copy sign-in link says it cannot copy (the
      // link must not reach the page).
      ...((options.clipboard ?? options.externalBrowser === 'capture')
        ? { copyText: (text: string) => void clipboard.push(text) }
        : {}),
      ...(options.log ? { log: options.log } : {}),
    },
    // HTTPS_PROXY / HTTP_PROXY / NO_PROXY and NODE_EXTRA_CA_CERTS, as Node programs read them.
    transportFor: nodeTransports(env),
    ...(options.session ? { session: options.session } : {}),
    confirmSwitch: (change) => confirmations.ask(change),
    // The same updates as the app, against UPDATE_FEED_URL; the install is recorded (updates.ts).
    updates: previewUpdates({
      dataDir,
      ...(options.appVersion ? { version: options.appVersion } : {}),
      emit: (view) => broadcast(clients, 'updates:changed', view),
      installed: (version) => void installs.push(version),
      ...(options.log ? { log: options.log } : {}),
      ...(options.restartPollMs === undefined ? {} : { restartPollMs: options.restartPollMs }),
    }),
  });
  const stop = () => core.close();
  const summary = core.summary;

  const server = createServer((req, res) => {
    handleRequest(req, res, {
      core,
      clients,
      rendererDir,
      externalUrls,
      clipboard,
      installs,
      capture: options.externalBrowser === 'capture',
      launch: { origin, port, key },
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
    clipboard,
    installs,
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

interface Context extends RouteContext {
  rendererDir: string;
  /** Where this launch listens, and its secret. */
  launch: Launch;
  /** Called at each request that carries the key (the first one settles `Preview.keyUsed`). */
  keyUsed: () => void;
  /** Provider switches waiting for the person's answer on the host's own page. */
  confirmations: SwitchConfirmations;
}

/** One request: the access checks decide (access.ts), then the page, an endpoint or a file answers. */
async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: Context,
): Promise<void> {
  const verdict = judgeRequest(
    {
      method: req.method,
      target: req.url,
      host: req.headers.host,
      origin: req.headers.origin,
      fetchSite: headerValue(req.headers['sec-fetch-site']),
      keys: headerValues(req.headers['x-preview-key']),
    },
    ctx.launch,
  );
  switch (verdict.kind) {
    case 'refuse': {
      const { status, body, headers } = verdict.refusal;
      return sendJson(res, status, body, headers);
    }
    case 'confirmation':
      return ctx.confirmations.handle(req, res, verdict.pathname);
    case 'endpoint':
      ctx.keyUsed();
      return answerEndpoint(verdict.pathname, req, res, ctx);
    case 'file':
      return serveStatic(verdict.pathname, res, ctx.rendererDir);
  }
}

function headerValues(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The preview CLI's console logger: `[core] message {fields}`, every line redacted first. */
export function createPreviewConsoleLogger(prefix = 'core'): Logger {
  return redactingLogger({
    info: (message, fields) => console.log(`[${prefix}] ${message}`, fields ?? ''),
    warn: (message, fields) => console.warn(`[${prefix}] ${message}`, fields ?? ''),
    error: (message, fields) => console.error(`[${prefix}] ${message}`, fields ?? ''),
  });
}
