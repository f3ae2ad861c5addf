/**
 * The preview host's access checks as a table: from a request's head alone, who gets refused (and
 * how), who reaches the confirmation page, an endpoint, or a file. An attacker is a web page on this
 * machine (other Host or Origin, another site's no-cors request) or another program (any header but
 * this launch's key).
 */
import { describe, expect, it } from 'vitest';
import {
  accessFor,
  judgeRequest,
  LOCKED_MESSAGE,
  type RequestHead,
  type Verdict,
} from '../../src-main/preview/access.ts';

const PORT = 5173;
const KEY = 'k'.repeat(43);
const launch = { port: PORT, origin: `http://127.0.0.1:${PORT}`, key: KEY };

function head(overrides: Partial<RequestHead> = {}): RequestHead {
  return {
    method: 'GET',
    target: '/',
    host: `127.0.0.1:${PORT}`,
    origin: undefined,
    fetchSite: undefined,
    keys: [],
    ...overrides,
  };
}

const bridge = (overrides: Partial<RequestHead> = {}) =>
  head({
    method: 'POST',
    target: '/__bridge/session:get',
    origin: launch.origin,
    fetchSite: 'same-origin',
    keys: [KEY],
    ...overrides,
  });

const refused = (status: number, message: string): Verdict => ({
  kind: 'refuse',
  refusal: { status, body: { message } },
});
const locked: Verdict = {
  kind: 'refuse',
  refusal: {
    status: 401,
    body: { ok: false, error: { code: 'preview_locked', message: LOCKED_MESSAGE } },
    headers: { 'WWW-Authenticate': 'X-Preview-Key realm="preview"' },
  },
};

const table: [string, RequestHead, Verdict][] = [
  ['the page itself', head(), { kind: 'file', pathname: '/' }],
  ['a file, HEAD', head({ method: 'HEAD', target: '/assets/a.js' }), file('/assets/a.js')],
  ['a file, percent-encoded', head({ target: '/assets/a%20b.js' }), file('/assets/a b.js')],
  ['a file by POST', head({ method: 'POST' }), refused(405, 'Method not allowed.')],
  ['no Host', head({ host: undefined }), refused(421, 'Wrong host.')],
  ['DNS rebinding', head({ host: `evil.example:${PORT}` }), refused(421, 'Wrong host.')],
  ['another port’s Host', head({ host: '127.0.0.1:1' }), refused(421, 'Wrong host.')],
  [
    'another site’s Origin',
    bridge({ origin: 'https://evil.example' }),
    refused(403, 'Cross-origin requests are refused.'),
  ],
  [
    'another local port’s Origin',
    bridge({ origin: 'http://127.0.0.1:1' }),
    refused(403, 'Cross-origin requests are refused.'),
  ],
  ['a scheme-relative target', head({ target: '//evil/x' }), refused(400, 'Bad request target.')],
  ['an absolute target', head({ target: 'http://x/' }), refused(400, 'Bad request target.')],
  ['no target', head({ target: undefined }), refused(400, 'Bad request target.')],
  ['broken percent-encoding', head({ target: '/%E0%A4%A' }), refused(400, 'Bad request target.')],
  [
    'the confirmation page, no key',
    head({ target: '/__confirm/abc' }),
    { kind: 'confirmation', pathname: '/__confirm/abc' },
  ],
  ['the bridge with the key', bridge(), { kind: 'endpoint', pathname: '/__bridge/session:get' }],
  [
    'the bridge, the key among two sent',
    bridge({ keys: ['wrong', KEY] }),
    { kind: 'endpoint', pathname: '/__bridge/session:get' },
  ],
  [
    'a test endpoint with the key',
    bridge({ method: 'GET', target: '/__preview/external-urls' }),
    { kind: 'endpoint', pathname: '/__preview/external-urls' },
  ],
  ['the bridge without a key', bridge({ keys: [] }), locked],
  ['the bridge with a wrong key', bridge({ keys: ['x'] }), locked],
  ['the bridge with the key cut short', bridge({ keys: [KEY.slice(1)] }), locked],
  ['a test endpoint without a key', head({ target: '/__preview/external-urls' }), locked],
  ['the bridge spelled /__bridge%2F, no key', head({ target: '/__bridge%2Fsession:get' }), locked],
  [
    'another site’s no-cors request',
    bridge({ origin: undefined, fetchSite: 'cross-site' }),
    refused(403, 'Cross-site requests are refused.'),
  ],
  [
    'another port’s no-cors request',
    bridge({ origin: undefined, fetchSite: 'same-site' }),
    refused(403, 'Cross-site requests are refused.'),
  ],
  [
    'a typed address (Sec-Fetch-Site: none)',
    bridge({ method: 'GET', target: '/__bridge/events', fetchSite: 'none', origin: undefined }),
    { kind: 'endpoint', pathname: '/__bridge/events' },
  ],
  [
    'a file, cross-site (files are public)',
    head({ target: '/index.html', fetchSite: 'cross-site' }),
    file('/index.html'),
  ],
];

function file(pathname: string): Verdict {
  return { kind: 'file', pathname };
}

describe('preview access checks', () => {
  it.each(table)('%s', (_what, request, verdict) => {
    expect(judgeRequest(request, launch)).toEqual(verdict);
  });

  it.each([
    ['/__bridge/auth:login', 'key'],
    ['/__bridge/anything-new', 'key'],
    ['/__preview/anything-new', 'key'],
    ['/', 'anyone'],
    ['/assets/index.js', 'anyone'],
    ['/__bridgeX', 'anyone'],
  ])('%s is for %s', (pathname, access) => {
    expect(accessFor(pathname)).toBe(access);
  });
});
