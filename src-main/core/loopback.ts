/**
 * The one-shot loopback receiver that catches the browser coming back (RFC 8252 §7.3, §8.3).
 *
 * It binds 127.0.0.1 only, and the redirect URI it announces uses that same literal (never
 * "localhost", which may resolve elsewhere). It accepts exactly one `GET <path>`; the browser is
 * redirected at once to a code-free page so the code leaves the address bar and history, and that
 * page shows the outcome once the app knows it. Then the server closes.
 *
 * A sign-in receiver is told the `state` of its authorization request (`expectState`): only a
 * callback carrying that exact `state` uses it up. Any web page can navigate a tab to
 * `127.0.0.1:<port>/callback`; such a callback gets 400 and the receiver goes on waiting for the
 * real one (RFC 9700 §4.7: `state` ties the response to the request).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreError } from './errors.ts';

export const LOOPBACK_HOST = '127.0.0.1';
const DONE_PATH = '/done';
/** Longest request target accepted; authorization responses are far shorter. */
const MAX_URL_LENGTH = 8192;
/**
 * Request line + headers the HTTP parser buffers at most (Node's default, stated so that neither
 * `--max-http-header-size` nor NODE_OPTIONS can raise it): beyond it the parser answers 431 and
 * closes the connection before any handler sees the request.
 */
const MAX_HEADER_BYTES = 16 * 1024;

export interface LoopbackOptions {
  /** Ports to try in order; empty: let the OS pick one. */
  ports: readonly number[];
  /** Path the provider redirects to, e.g. `/callback`. */
  path: string;
  /** How long to wait for the browser (default 5 minutes). */
  timeoutMs?: number;
  /** Aborting ends the wait with `sign_in_cancelled`. */
  signal?: AbortSignal;
  /** Page title shown while nothing is known yet. */
  purpose?: string;
  /**
   * Take only a callback whose `state` is the one given to `expectState()` (none is taken before
   * that). Without it (the logout receiver) the first GET of `path` is taken.
   */
  requireState?: boolean;
}

export interface Outcome {
  ok: boolean;
  message: string;
}

export class LoopbackReceiver {
  readonly redirectUri: string;
  /** Resolves with the full URL the browser arrived at (query included), once. */
  readonly arrival: Promise<URL>;
  private readonly server: Server;
  private readonly port: number;
  private readonly path: string;
  private outcome: Outcome | undefined;
  private readonly outcomeWaiters: Array<(outcome: Outcome) => void> = [];
  private arrived = false;
  private closed = false;
  private readonly requireState: boolean;
  /** SHA-256 of the expected `state`: compared in constant time whatever the length sent. */
  private expectedState: Buffer | undefined;
  private settleArrival!: { resolve: (url: URL) => void; reject: (error: Error) => void };
  private timer: NodeJS.Timeout | undefined;

  private constructor(server: Server, path: string, options: LoopbackOptions) {
    this.server = server;
    this.path = path;
    this.requireState = options.requireState ?? false;
    this.port = (server.address() as AddressInfo).port;
    this.redirectUri = `http://${LOOPBACK_HOST}:${this.port}${path}`;
    this.arrival = new Promise<URL>((resolve, reject) => {
      this.settleArrival = { resolve, reject };
    });
    // Nobody may be awaiting `arrival` when it is cancelled; do not make that an unhandled rejection.
    this.arrival.catch(() => {});
    server.on('request', (req, res) => this.onRequest(req, res));

    const timeoutMs = options.timeoutMs ?? 5 * 60_000;
    this.timer = setTimeout(() => {
      this.fail(new CoreError('sign_in_timeout', `No answer from the browser within ${Math.round(timeoutMs / 1000)} seconds. Please try again.`));
    }, timeoutMs);
    this.timer.unref();
    if (options.signal) {
      const onAbort = () => this.fail(new CoreError('sign_in_cancelled', 'Sign-in was cancelled.'));
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  /** Binds the first free port of `ports` (or an OS-assigned one). */
  static async start(options: LoopbackOptions): Promise<LoopbackReceiver> {
    const candidates = options.ports.length > 0 ? options.ports : [0];
    for (const port of candidates) {
      const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES });
      server.maxHeadersCount = 50;
      server.headersTimeout = 10_000;
      server.requestTimeout = 10_000;
      try {
        await listen(server, port);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' || (error as NodeJS.ErrnoException).code === 'EACCES') continue;
        throw error;
      }
      server.unref();
      return new LoopbackReceiver(server, options.path, options);
    }
    throw new CoreError('ports_busy', `All configured callback ports are in use (${options.ports.join(', ')}). Close the program using them or set AUTH0_CALLBACK_PORTS to other registered ports.`);
  }

  /** The `state` of the authorization request this receiver waits for (see `requireState`). */
  expectState(state: string): void {
    this.expectedState = digest(state);
  }

  /** Tells the browser tab how it ended, and closes the server once it has been told. */
  finish(outcome: Outcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    for (const waiter of this.outcomeWaiters.splice(0)) waiter(outcome);
    // Give the browser a moment to fetch the outcome page, then close for good (sooner once it has:
    // see onRequest).
    setTimeout(() => void this.close(), 2_000).unref();
  }

  /** Stops listening; a pending arrival is rejected as cancelled. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.settleArrival.reject(new CoreError('sign_in_cancelled', 'Sign-in was cancelled.'));
    for (const waiter of this.outcomeWaiters.splice(0)) waiter({ ok: false, message: 'The app stopped waiting for this sign-in.' });
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private fail(error: CoreError): void {
    if (this.arrived || this.closed) return;
    this.settleArrival.reject(error);
    void this.close();
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const refusal = this.refusal(req);
    if (refusal) {
      send(res, refusal.status, page('Not here', refusal.message, false));
      return;
    }
    const url = new URL(req.url ?? '/', `http://${LOOPBACK_HOST}:${this.port}`);
    if (url.pathname === this.path && !this.arrived) {
      if (!this.stateMatches(url)) {
        // Not the answer to our request (a page navigating a tab here, a stale or foreign
        // callback): it uses nothing up, and the real callback is still awaited.
        send(res, 400, page('Not this sign-in', 'This is not the sign-in the app is waiting for. Finish signing in in the tab the app opened.', false));
        return;
      }
      this.arrived = true;
      clearTimeout(this.timer);
      // The URL is rebuilt from our own redirect URI, not from the Host header.
      this.settleArrival.resolve(new URL(`${this.redirectUri}${url.search}`));
      // 303: the follow-up is a GET to a URL without the code (RFC 8252 §8.3 hygiene).
      res.writeHead(303, { Location: DONE_PATH, ...SAFE_HEADERS });
      res.end();
      return;
    }
    if (url.pathname === DONE_PATH && this.arrived) {
      const respond = (outcome: Outcome) => {
        // The browser has been told: nothing is left to serve, so stop listening right after.
        if (this.outcome) res.once('finish', () => setTimeout(() => void this.close(), 50).unref());
        send(res, 200, page(outcome.ok ? 'All done' : 'Something went wrong', outcome.message, outcome.ok));
      };
      if (this.outcome) respond(this.outcome);
      else this.outcomeWaiters.push(respond);
      return;
    }
    send(res, 404, page('Not found', 'There is nothing here.', false));
  }

  private stateMatches(url: URL): boolean {
    if (!this.requireState) return true;
    const state = url.searchParams.get('state');
    if (this.expectedState === undefined || state === null) return false;
    return timingSafeEqual(digest(state), this.expectedState);
  }

  /** Refuses anything that is not a plain top-level GET from a browser to 127.0.0.1:<port>. */
  private refusal(req: IncomingMessage): { status: number; message: string } | undefined {
    if (req.method !== 'GET') return { status: 405, message: 'Only GET is accepted.' };
    if ((req.url?.length ?? 0) > MAX_URL_LENGTH) return { status: 414, message: 'Request too long.' };
    // Origin-form only ("/callback?…"): an absolute or "//host" target is not what a browser sends.
    if (!req.url?.startsWith('/') || req.url.startsWith('//')) return { status: 400, message: 'Bad request.' };
    // DNS rebinding: another name resolving to 127.0.0.1 would carry its own Host.
    if (req.headers.host !== `${LOOPBACK_HOST}:${this.port}`) return { status: 421, message: 'Wrong host.' };
    // A page's script (fetch / XHR) sends Origin; a top-level redirect from the provider does not.
    if (req.headers.origin !== undefined) return { status: 403, message: 'Cross-origin requests are refused.' };
    // Fetch metadata, where the browser sends it: only a top-level navigation, never an <img>,
    // <script>, <iframe> or no-cors fetch that another page could aim at this port.
    const mode = req.headers['sec-fetch-mode'];
    const dest = req.headers['sec-fetch-dest'];
    if ((mode !== undefined && mode !== 'navigate') || (dest !== undefined && dest !== 'document')) {
      return { status: 403, message: 'Only a top-level navigation is accepted.' };
    }
    return undefined;
  }
}

const SAFE_HEADERS = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
} as const;

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...SAFE_HEADERS });
  res.end(html);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: LOOPBACK_HOST, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, message: string, ok: boolean): string {
  const accent = ok ? '#3fb950' : '#f85149';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;min-height:100vh;display:grid;place-items:center;background:#0d1117;color:#e6edf3;font:16px/1.5 system-ui,sans-serif}
main{max-width:28rem;padding:2rem;border-radius:12px;background:#161b22;border-top:4px solid ${accent};text-align:center}
h1{font-size:1.4rem;margin:0 0 .5rem}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p id="message">${escapeHtml(message)}</p></main></body></html>`;
}
