/**
 * Who may reach what on the preview host, decided from the request's head alone (no I/O): the pure
 * checks `handleRequest` runs before anything is read or answered, unit-tested as a table.
 *
 * Host and Origin stop web pages on this machine (DNS rebinding, cross-site requests); Fetch
 * metadata stops another site's no-cors requests; this launch's key, sent as `X-Preview-Key`,
 * stops another program or user, which can send any header it likes. The key gate goes by path
 * prefix (`accessFor`), so a new endpoint under either prefix is gated before it is written.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppError } from '../../src-preload/contract.ts';
import { isLoopbackHostHeader, isLoopbackOrigin } from '../core/loopback.ts';
import { CONFIRM_PREFIX } from './switch-confirmation.ts';

/** Who may use a path: anyone (the page's files), or only a request carrying the key in `X-Preview-Key`. */
export type Access = 'anyone' | 'key';

/** Decided by prefix, so an endpoint added under `/__bridge/` or `/__preview/` is gated without a word. */
export function accessFor(pathname: string): Access {
  if (pathname.startsWith('/__bridge/') || pathname.startsWith('/__preview/')) return 'key';
  return 'anyone';
}

/** What a request without this launch's key gets; the page shows the message. */
export const LOCKED_MESSAGE =
  'This preview answers only a browser that opened the link printed in the terminal, and each ' +
  'launch prints a new one: open the line "Preview: http://127.0.0.1:…/#key=…".';

/** The parts of a request the checks read. */
export interface RequestHead {
  method: string | undefined;
  /** The request target as sent (`req.url`). */
  target: string | undefined;
  host: string | undefined;
  origin: string | undefined;
  /** `Sec-Fetch-Site`, where the browser sends it. */
  fetchSite: string | undefined;
  /** Every `X-Preview-Key` value sent. */
  keys: string[];
}

/** This launch: where it listens and its secret. */
export interface Launch {
  port: number;
  origin: string;
  key: string;
}

/** An answer given without going further: status, JSON body, extra headers. */
export interface Refusal {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Verdict =
  | { kind: 'refuse'; refusal: Refusal }
  /** The host's own confirmation page: gated by its one-time id, not by the key (switch-confirmation.ts). */
  | { kind: 'confirmation'; pathname: string }
  /** A bridge or test endpoint, by a request that carries this launch's key. */
  | { kind: 'endpoint'; pathname: string }
  /** One of the renderer's files (`pathname` percent-decoded). */
  | { kind: 'file'; pathname: string };

const refuse = (status: number, message: string): Verdict => ({
  kind: 'refuse',
  refusal: { status, body: { message } },
});

/** The checks, in the order they run; the first that fails answers. */
export function judgeRequest(head: RequestHead, launch: Launch): Verdict {
  // DNS rebinding: a hostile name resolving to 127.0.0.1 carries its own Host header.
  if (!isLoopbackHostHeader(head.host, launch.port)) return refuse(421, 'Wrong host.');
  // Cross-site requests: browsers send Origin on every POST and on cross-origin GETs.
  if (head.origin !== undefined && !isLoopbackOrigin(head.origin, launch.port))
    return refuse(403, 'Cross-origin requests are refused.');
  // Only origin-form targets ("/path?query"): "//host/path" or "http://host/path" would re-root
  // the URL.
  if (!head.target?.startsWith('/') || head.target.startsWith('//'))
    return refuse(400, 'Bad request target.');
  const url = new URL(head.target, launch.origin);
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return refuse(400, 'Bad request target.');
  }
  if (url.pathname.startsWith(CONFIRM_PREFIX))
    return { kind: 'confirmation', pathname: url.pathname };
  // Gate on both spellings: "/__bridge%2F…" must not slip past as a file name.
  const access =
    accessFor(url.pathname) !== 'anyone' ? accessFor(url.pathname) : accessFor(pathname);
  if (access === 'anyone') {
    if (head.method !== 'GET' && head.method !== 'HEAD') return refuse(405, 'Method not allowed.');
    return { kind: 'file', pathname };
  }
  // Fetch metadata: a page of another site (or another port: same-site) may not even reach the
  // bridge with a no-cors request that carries no Origin (<img>, <script>); only the app's own
  // pages may.
  const site = head.fetchSite;
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return refuse(403, 'Cross-site requests are refused.');
  // Another program on this machine: only the holder of this launch's key gets further. A cookie,
  // whatever it holds, opens nothing.
  if (!sameSecret(head.keys, launch.key)) return { kind: 'refuse', refusal: locked() };
  return { kind: 'endpoint', pathname };
}

function locked(): Refusal {
  const error: AppError = { code: 'preview_locked', message: LOCKED_MESSAGE };
  return {
    status: 401,
    body: { ok: false, error },
    headers: { 'WWW-Authenticate': 'X-Preview-Key realm="preview"' },
  };
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
