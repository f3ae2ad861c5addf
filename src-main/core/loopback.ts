/**
 * The one-shot loopback receiver that catches the browser coming back (RFC 8252 §7.3, §8.3).
 *
 * It binds 127.0.0.1 only, and the redirect URI it announces uses that same literal (never
 * "localhost", which may resolve elsewhere). It accepts exactly one `GET <path>`; the browser is
 * redirected at once to a code-free page so the code leaves the address bar and history, and that
 * page shows the outcome once the app knows it.
 *
 * A sign-in receiver is told the `state` of its authorization request (`expectState`): only a
 * callback carrying that exact `state` uses it up. Any web page can navigate a tab to
 * `127.0.0.1:<port>/callback`; such a callback gets 400 and the receiver goes on waiting for the
 * real one (RFC 9700 §4.7: `state` ties the response to the request).
 *
 * A tab often comes back late: after Cancel, after the timeout (a password manager or MFA easily
 * takes five minutes), or as a reload of the outcome page. So when the wait ends the server does not
 * vanish at once (the browser would say "This site can't be reached" after a correct password): it
 * lingers, for an hour at most, answering every such tab with a page that says what happened and to
 * go back to the app. It never takes a callback again, and it never costs a new sign-in its port:
 * every new receiver first closes all lingering ones.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreError } from './errors.ts';
import { APP_NAME } from '../../src-preload/app-name.ts';
import { ExpectedState } from './expected-state.ts';

export const LOOPBACK_HOST = '127.0.0.1';

/**
 * The `Host` header values a browser sends for 127.0.0.1:<port>. Browsers leave out the scheme's
 * default port, so on port 80 the header is plain `127.0.0.1` (RFC 9110 §7.2; URL serialisation).
 */
function loopbackAuthorities(port: number): string[] {
  return port === 80 ? [LOOPBACK_HOST, `${LOOPBACK_HOST}:80`] : [`${LOOPBACK_HOST}:${port}`];
}

/** Whether a `Host` header names 127.0.0.1:<port>, in either form (`:80` written or left out). */
export function isLoopbackHostHeader(value: string | undefined, port: number): boolean {
  return value !== undefined && loopbackAuthorities(port).includes(value);
}

/** Whether an `Origin` header is http://127.0.0.1:<port>, in either form (`:80` written or left out). */
export function isLoopbackOrigin(value: string | undefined, port: number): boolean {
  return (
    value !== undefined &&
    loopbackAuthorities(port).some((authority) => value === `http://${authority}`)
  );
}
const DONE_PATH = '/done';
/** How long an ended receiver keeps answering late tabs (it holds no secret, only the outcome). */
export const LINGER_MS = 60 * 60_000;
/** The app's name as the browser tab shows it: the one name (src-preload/app-name.ts). */
export { APP_NAME };
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
   * that). Without it the first GET of `path` is taken (the return from a logout page that cannot
   * carry a state: Auth0's `/v2/logout`).
   */
  requireState?: boolean;
  /** What a request of `path` without the expected state is told (default: the sign-in's words). */
  wrongStatePage?: LatePage;
  /**
   * What a tab that comes back after the wait ended (cancelled, timed out) is told. Default: the
   * sign-in's words. Other receivers (the logout's) pass their own.
   */
  latePages?: Partial<Record<EndReason, LatePage>>;
  /**
   * Pages for other paths a tab may come back to on this port, e.g. a logout tab that returns after a
   * new sign-in took the port: a page saying what happened, never "Not found". They take nothing.
   */
  otherPages?: Readonly<Record<string, LatePage>>;
}

export interface Outcome {
  ok: boolean;
  message: string;
}

/** `switched`: the person chose another way to sign in ("Try another way"), see SWITCHED_WAY. */
export type EndReason = 'cancelled' | 'timeout' | 'switched';

/**
 * The abort reason a sign-in gives its way's signal when the person picks another way: a tab that
 * comes back to this receiver then hears that, not that the sign-in "was cancelled".
 */
export const SWITCHED_WAY = 'switched-way';

export interface LatePage {
  title: string;
  message: string;
}

/** Receivers whose wait has ended and that only answer late tabs now. */
const lingering = new Set<LoopbackReceiver>();

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
  /** The expected `state`, compared in constant time whatever the length sent. */
  private expectedState: ExpectedState | undefined;
  private settleArrival!: { resolve: (url: URL) => void; reject: (error: Error) => void };
  private timer: NodeJS.Timeout | undefined;
  private readonly timeoutMs: number;
  private readonly latePages: Record<EndReason, LatePage>;
  private readonly wrongStatePage: LatePage;
  private readonly otherPages: Readonly<Record<string, LatePage>>;
  /** Set once the wait is over: the server then only tells late tabs what happened. */
  private ended: { reason: EndReason | 'finished'; lingerTimer: NodeJS.Timeout } | undefined;

  private constructor(server: Server, path: string, options: LoopbackOptions) {
    this.server = server;
    this.path = path;
    this.requireState = options.requireState ?? false;
    this.port = (server.address() as AddressInfo).port;
    // Serialised as a browser would (no ":80"): the callback URL built from it, and the
    // redirect_uri of the token request with it, must match the authorization request's exactly.
    this.redirectUri = new URL(`http://${LOOPBACK_HOST}:${this.port}${path}`).href;
    this.arrival = new Promise<URL>((resolve, reject) => {
      this.settleArrival = { resolve, reject };
    });
    // Nobody may be awaiting `arrival` when it is cancelled; do not make that an unhandled rejection.
    this.arrival.catch(() => {});
    server.on('request', (req, res) => this.onRequest(req, res));

    const timeoutMs = options.timeoutMs ?? 5 * 60_000;
    this.timeoutMs = timeoutMs;
    this.otherPages = options.otherPages ?? {};
    this.latePages = {
      cancelled: options.latePages?.cancelled ?? {
        title: 'Sign-in cancelled',
        message: `This sign-in was cancelled in ${APP_NAME}, so it cannot finish here. Go back to the app and press Log In to start again. You can close this tab.`,
      },
      switched: options.latePages?.switched ?? {
        title: 'Signing in another way',
        message: `You chose another way to sign in, in ${APP_NAME}: continue there. This tab is no longer needed; you can close it.`,
      },
      timeout: options.latePages?.timeout ?? {
        title: 'Sign-in timed out',
        message: `${APP_NAME} stopped waiting for this sign-in after ${describeDuration(timeoutMs)}. Go back to the app and press Log In to start again. You can close this tab.`,
      },
    };
    this.wrongStatePage = options.wrongStatePage ?? {
      title: 'Not this sign-in',
      message:
        'This is not the sign-in the app is waiting for. Finish signing in from the tab the app opened.',
    };
    this.timer = setTimeout(() => {
      this.fail(
        new CoreError(
          'sign_in_timeout',
          `No answer from the browser within ${describeDuration(timeoutMs)}. Please try again.`,
        ),
        'timeout',
      );
    }, timeoutMs);
    this.timer.unref();
    if (options.signal) {
      const onAbort = () =>
        this.fail(
          new CoreError('sign_in_cancelled'),
          options.signal?.reason === SWITCHED_WAY ? 'switched' : 'cancelled',
        );
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  /**
   * Binds the first free port of `ports` (or an OS-assigned one). Receivers lingering for late tabs
   * are closed first: a new sign-in always gets its port.
   */
  static async start(options: LoopbackOptions): Promise<LoopbackReceiver> {
    await LoopbackReceiver.closeLingering();
    const candidates = options.ports.length > 0 ? options.ports : [0];
    for (const port of candidates) {
      const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES });
      server.maxHeadersCount = 50;
      server.headersTimeout = 10_000;
      server.requestTimeout = 10_000;
      try {
        await listen(server, port);
      } catch (error) {
        if (
          (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ||
          (error as NodeJS.ErrnoException).code === 'EACCES'
        )
          continue;
        throw error;
      }
      server.unref();
      return new LoopbackReceiver(server, options.path, options);
    }
    throw new CoreError(
      'ports_busy',
      `All configured callback ports are in use (${options.ports.join(', ')}). Close the program using them or set AUTH0_CALLBACK_PORTS to other registered ports.`,
    );
  }

  /** The `state` of the authorization request this receiver waits for (see `requireState`). */
  expectState(state: string): void {
    this.expectedState = new ExpectedState(state);
  }

  /** Closes every receiver that only answers late tabs (before a new one binds, and at quit). */
  static async closeLingering(): Promise<void> {
    await Promise.all([...lingering].map((receiver) => receiver.close()));
  }

  /** Whether the server still listens (waiting, or lingering for late tabs). */
  get listening(): boolean {
    return !this.closed;
  }

  /** Tells the browser tab how it ended; from then on the server only answers late tabs. */
  finish(outcome: Outcome): void {
    if (this.outcome || this.closed) return;
    this.outcome = outcome;
    for (const waiter of this.outcomeWaiters.splice(0)) waiter(outcome);
    this.linger('finished');
  }

  /** Stops listening at once (no lingering); a pending arrival is rejected as cancelled. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    if (this.ended) clearTimeout(this.ended.lingerTimer);
    lingering.delete(this);
    this.settleArrival.reject(new CoreError('sign_in_cancelled'));
    for (const waiter of this.outcomeWaiters.splice(0))
      waiter({ ok: false, message: 'The app stopped waiting for this sign-in.' });
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private fail(error: CoreError, reason: EndReason): void {
    if (this.arrived || this.closed || this.ended) return;
    this.settleArrival.reject(error);
    this.linger(reason);
  }

  /** The wait is over: keep answering late tabs for LINGER_MS, unless a new receiver needs the port. */
  private linger(reason: EndReason | 'finished'): void {
    if (this.ended || this.closed) return;
    clearTimeout(this.timer);
    const lingerTimer = setTimeout(() => void this.close(), LINGER_MS);
    lingerTimer.unref();
    this.ended = { reason, lingerTimer };
    lingering.add(this);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const refusal = this.refusal(req);
    if (refusal) {
      send(res, refusal.status, page('Not here', refusal.message, false));
      return;
    }
    const url = new URL(req.url ?? '/', `http://${LOOPBACK_HOST}:${this.port}`);
    if (this.ended && (url.pathname === this.path || url.pathname === DONE_PATH)) {
      this.answerLateTab(res, url.pathname === DONE_PATH);
      return;
    }
    if (url.pathname === this.path && !this.arrived) {
      if (!this.stateMatches(url)) {
        // Not the answer to our request (a page navigating a tab here, a stale or foreign
        // callback): it uses nothing up, and the real callback is still awaited.
        send(res, 400, page(this.wrongStatePage.title, this.wrongStatePage.message, false));
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
        send(
          res,
          200,
          page(outcome.ok ? 'All done' : 'Something went wrong', outcome.message, outcome.ok),
        );
      };
      if (this.outcome) respond(this.outcome);
      else this.outcomeWaiters.push(respond);
      return;
    }
    const other = Object.hasOwn(this.otherPages, url.pathname)
      ? this.otherPages[url.pathname]
      : undefined;
    if (other) {
      send(res, 200, page(other.title, other.message, false, 'notice'));
      return;
    }
    send(res, 404, page('Not found', 'There is nothing here.', false));
  }

  private stateMatches(url: URL): boolean {
    if (!this.requireState) return true;
    return this.expectedState?.matches(url.searchParams.get('state')) ?? false;
  }

  /**
   * A tab after the wait ended: a reload of the outcome page gets the outcome again; a callback that
   * arrives late (the person finished in the browser after Cancel or the timeout) is told why the app
   * no longer takes it. Nothing is handed over any more.
   */
  private answerLateTab(res: ServerResponse, outcomePage: boolean): void {
    const reason = this.ended!.reason;
    if (reason === 'finished' && this.outcome) {
      if (outcomePage) {
        send(
          res,
          200,
          page(
            this.outcome.ok ? 'All done' : 'Something went wrong',
            this.outcome.message,
            this.outcome.ok,
          ),
        );
      } else {
        send(
          res,
          410,
          page(
            'Already finished',
            `This page was already used to finish a sign-in. Go back to ${APP_NAME}. You can close this tab.`,
            this.outcome.ok,
          ),
        );
      }
      return;
    }
    const late = this.latePages[reason === 'finished' ? 'cancelled' : reason];
    send(res, outcomePage ? 200 : 410, page(late.title, late.message, false, 'notice'));
  }

  /** Refuses anything that is not a plain top-level GET from a browser to 127.0.0.1:<port>. */
  private refusal(req: IncomingMessage): { status: number; message: string } | undefined {
    if (req.method !== 'GET') return { status: 405, message: 'Only GET is accepted.' };
    if ((req.url?.length ?? 0) > MAX_URL_LENGTH)
      return { status: 414, message: 'Request too long.' };
    // Origin-form only ("/callback?…"): an absolute or "//host" target is not what a browser sends.
    if (!req.url?.startsWith('/') || req.url.startsWith('//'))
      return { status: 400, message: 'Bad request.' };
    // DNS rebinding: another name resolving to 127.0.0.1 would carry its own Host.
    if (!isLoopbackHostHeader(req.headers.host, this.port))
      return { status: 421, message: 'Wrong host.' };
    // A page's script (fetch / XHR) sends Origin; a top-level redirect from the provider does not.
    if (req.headers.origin !== undefined)
      return { status: 403, message: 'Cross-origin requests are refused.' };
    // Fetch metadata, where the browser sends it: only a top-level navigation, never an <img>,
    // <script>, <iframe> or no-cors fetch that another page could aim at this port.
    const mode = req.headers['sec-fetch-mode'];
    const dest = req.headers['sec-fetch-dest'];
    if (
      (mode !== undefined && mode !== 'navigate') ||
      (dest !== undefined && dest !== 'document')
    ) {
      return { status: 403, message: 'Only a top-level navigation is accepted.' };
    }
    return undefined;
  }
}

const SAFE_HEADERS = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
} as const;

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...SAFE_HEADERS });
  res.end(html);
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

/** "5 minutes", "1 minute", "30 seconds": how long, in the unit a person thinks in. */
export function describeDuration(ms: number): string {
  if (ms >= 60_000) {
    const minutes = Math.round(ms / 60_000);
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  const seconds = Math.max(1, Math.round(ms / 1000));
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** The browser tab's page: light, like the provider's pages the person just came from, and naming the app. */
function page(
  title: string,
  message: string,
  ok: boolean,
  tone: 'result' | 'notice' = 'result',
): string {
  const accent = ok ? '#1f883d' : tone === 'notice' ? '#635dff' : '#cf222e';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · ${APP_NAME}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f3f4f8;color:#1e212a;font:16px/1.5 system-ui,sans-serif}
main{max-width:28rem;margin:1.5rem;padding:2rem;border-radius:8px;background:#fff;border-top:4px solid ${accent};box-shadow:0 12px 40px rgba(0,0,0,.12);text-align:center}
.app{margin:0 0 .75rem;color:#5c6070;font-size:.875rem;font-weight:600;letter-spacing:.02em}
h1{font-size:1.4rem;margin:0 0 .5rem}</style></head>
<body><main><p class="app">${APP_NAME}</p><h1>${escapeHtml(title)}</h1><p id="message">${escapeHtml(message)}</p></main></body></html>`;
}
