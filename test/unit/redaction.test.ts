/**
 * Logs contain no token: `redactSecrets` / `redactingLogger` (src-main/core/redact.ts), and every
 * logger that writes somewhere goes through them: the core's (wrapped in createAuthCore, whatever
 * the host passes), the Electron console logger, and the preview CLI's console logger. The journey
 * through the real devstack (sign-in, API call, refresh, logout) is in
 * test/integration/secrets-at-rest.test.ts.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthCore } from '../../src-main/core/index.ts';
import type { Logger } from '../../src-main/core/platform.ts';
import {
  REDACTED,
  redactingLogger,
  redactSecrets,
  redactString,
} from '../../src-main/core/redact.ts';
import { createConsoleLogger } from '../../src-main/electron/platform.ts';
import { createPreviewConsoleLogger } from '../../src-main/preview/server.ts';
import { configFor } from '../support/core-harness.ts';
import { recordingLogger } from '../support/recording-logger.ts';
import { envTransport } from '../support/transport.ts';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const ACCESS = `${b64({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' })}.${b64({ sub: 'alice', scope: 'openid' })}.c2lnbmF0dXJlLWFjY2Vzcw`;
const ID = `${b64({ alg: 'RS256', kid: 'k1' })}.${b64({ sub: 'alice', email: 'alice@example.com' })}.c2lnbmF0dXJlLWlk`;
const JWE = `${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.ZW5jcnlwdGVkLWtleQ.aXY.Y2lwaGVydGV4dA.dGFn`;
const REFRESH = 'opaque-refresh-7f3a9c1e2b4d';
const CODE = 'authz-code-5e8d2c';
const VERIFIER = 'pkce-verifier-9a8b7c6d5e4f3a2b1c0d';
const PRIVATE_D = 'private-jwk-d-0123456789abcdef';
const SECRETS = [
  ACCESS,
  ID,
  JWE,
  REFRESH,
  CODE,
  VERIFIER,
  PRIVATE_D,
  'c2lnbmF0dXJlLWFjY2Vzcw',
  'c2lnbmF0dXJlLWlk',
];

function expectClean(value: unknown): void {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  for (const secret of SECRETS)
    expect(text.includes(secret), `leaked ${secret.slice(0, 12)}… in ${text.slice(0, 300)}`).toBe(
      false,
    );
}

/** Every log call a token could ride in, as a careless caller might write it. */
const CARELESS_CALLS: Array<[string, Record<string, unknown> | undefined]> = [
  [`token response ${JSON.stringify({ access_token: ACCESS, id_token: ID })}`, undefined],
  [
    'calling the API',
    { headers: { Authorization: `Bearer ${ACCESS}`, authorization: `DPoP ${ACCESS}` } },
  ],
  [
    'refresh',
    { refreshToken: REFRESH, refresh_token: REFRESH, tokens: { accessToken: ACCESS, idToken: ID } },
  ],
  [
    'callback arrived',
    {
      url: `http://127.0.0.1:53123/callback?code=${CODE}&state=st&iss=http%3A%2F%2F127.0.0.1%3A4000`,
    },
  ],
  [
    'logout url',
    { url: new URL(`http://127.0.0.1:4000/session/end?id_token_hint=${ID}&client_id=x`) },
  ],
  ['exchange', { body: `grant_type=authorization_code&code=${CODE}&code_verifier=${VERIFIER}` }],
  ['pkce', { checks: { pkceCodeVerifier: VERIFIER, expectedState: 's', expectedNonce: 'n' } }],
  ['dpop key', { jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: PRIVATE_D } }],
  [
    'failure',
    { error: new Error(`token endpoint said no for ${ACCESS}`), cause: { message: `bad ${ID}` } },
  ],
  ['encrypted', { payload: JWE, list: [ID, { nested: [{ deeper: `Bearer ${ACCESS}` }] }] }],
  [
    'cookie',
    {
      Cookie: `session=${REFRESH}`,
      'Set-Cookie': REFRESH,
      client_secret: REFRESH,
      password: REFRESH,
    },
  ],
  [`message itself: Bearer ${ACCESS} and ${ID}`, {}],
];

afterEach(() => {
  vi.restoreAllMocks();
});

describe('redactSecrets', () => {
  it.each(CARELESS_CALLS)('removes every token from careless log call #%#', (message, fields) => {
    expectClean(redactString(message));
    expectClean(redactSecrets(fields));
  });

  it('keeps what is not secret, so logs stay useful', () => {
    const fields = {
      channel: 'auth:login',
      error: 'callback_invalid',
      flow: 'login',
      status: 401,
      ok: false,
      reason: 'The saved session was damaged.',
    };
    expect(redactSecrets(fields)).toEqual(fields);
    expect(redactString('sign-in failed')).toBe('sign-in failed');
    expect(redactSecrets({ accessToken: ACCESS })).toEqual({ accessToken: REDACTED });
  });

  it('survives cycles, deep nesting, prototype keys and exotic values without throwing', () => {
    const cyclic: Record<string, unknown> = { token: ACCESS };
    cyclic.self = cyclic;
    let deep: unknown = { accessToken: ACCESS };
    for (let i = 0; i < 10_000; i++) deep = { next: deep, note: ID };
    const exotic = JSON.parse(
      `{"__proto__":{"accessToken":"${ACCESS}"},"constructor":{"prototype":{"x":"${ID}"}}}`,
    );
    for (const value of [
      cyclic,
      deep,
      exotic,
      [Symbol('s'), 10n, () => ACCESS, new Map([[ACCESS, ID]]), null, undefined, NaN],
    ]) {
      expectClean(redactSecrets(value));
    }
    expect(({} as Record<string, unknown>).accessToken).toBeUndefined();
  });

  it('finds a token wherever a random structure hides it (property)', () => {
    const secret = fc.constantFrom(ACCESS, ID, JWE);
    const secretKey = fc.constantFrom(
      'accessToken',
      'access_token',
      'refreshToken',
      'id_token',
      'Authorization',
      'client_secret',
      'code_verifier',
      'password',
      'DPoP-private',
      'cookie',
    );
    const hidden: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        secret.map((s) => `prefix ${s} suffix`),
        fc.tuple(secretKey, fc.constantFrom(REFRESH, VERIFIER, CODE)).map(([k, v]) => ({ [k]: v })),
        fc.tuple(fc.string(), tie('node')).map(([k, v]) => ({
          [k.replace(
            /token|secret|verifier|password|authorization|cookie|private|credential|assertion/gi,
            '',
          )]: v,
        })),
        fc.array(tie('node'), { maxLength: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(hidden, (value) => {
        expectClean(redactSecrets(value));
      }),
      { numRuns: 300 },
    );
  });
});

describe('JSON-shaped and percent-encoded secrets, and fields named code, state, nonce', () => {
  const STATE = 'state-value-b71f0e9d';
  const NONCE = 'nonce-value-60c4a2e1';
  const clean = (text: string) => {
    for (const secret of [REFRESH, CODE, STATE, NONCE, VERIFIER])
      expect(text.includes(secret), `leaked ${secret} in ${text}`).toBe(false);
  };

  it.each([
    [
      'a JSON token response in a message',
      `provider answered ${JSON.stringify({ access_token: 'opaque-at', refresh_token: REFRESH, token_type: 'Bearer' })}`,
    ],
    [
      'JSON inside a JSON string (escaped quotes)',
      `body: ${JSON.stringify(JSON.stringify({ refresh_token: REFRESH, code: CODE }))}`,
    ],
    ['JSON with spaces', `{ "code" : "${CODE}", "state" : "${STATE}", "nonce": "${NONCE}" }`],
    [
      'a JS object as util.inspect prints it',
      `{ refreshToken: '${REFRESH}', code: '${CODE}', state: '${STATE}' }`,
    ],
    [
      'a callback URL percent-encoded in a redirect_uri',
      `redirect_uri=http%3A%2F%2F127.0.0.1%3A53123%2Fcallback%3Fcode%3D${CODE}%26state%3D${STATE}`,
    ],
    [
      'lower-case percent-encoding',
      `next=%2fcallback%3fcode%3d${CODE}%26state%3d${STATE}%26iss%3dx`,
    ],
    [
      'percent-encoded twice',
      `u=http%253A%252F%252Fh%252Fcb%253Fcode%253D${CODE}%2526state%253D${STATE}`,
    ],
    ['an encoded fragment', `x=%23state%3D${STATE}%26nonce%3D${NONCE}`],
    ['a form body', `grant_type=refresh_token&refresh_token=${REFRESH}&code_verifier=${VERIFIER}`],
  ])('redacts %s', (_name, text) => {
    const out = redactString(text);
    clean(out);
    expect(out).toContain(REDACTED);
    clean(JSON.stringify(redactSecrets({ message: text, list: [text] })));
  });

  it('redacts fields named code, state and nonce at any depth; error codes travel under other names', () => {
    const out = redactSecrets({
      code: CODE,
      state: STATE,
      nonce: NONCE,
      callback: { params: [{ Code: CODE, STATE }] },
      error: 'callback_invalid',
    });
    clean(JSON.stringify(out));
    expect(out).toMatchObject({
      code: REDACTED,
      state: REDACTED,
      nonce: REDACTED,
      error: 'callback_invalid',
    });
    const failure = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
      code: 'ECONNREFUSED',
    });
    expect(redactSecrets({ failure })).toEqual({
      failure: {
        name: 'Error',
        message: 'connect ECONNREFUSED 127.0.0.1:9',
        errorCode: 'ECONNREFUSED',
      },
    });
  });

  it('keeps JSON and encoded URLs without secrets as they are', () => {
    for (const text of [
      '{"status":"signed-in","flow":"login","persistence":"encrypted"}',
      'next=%2Fprofile%3Fpage%3D2%26sort%3Dasc',
      'http://127.0.0.1:6060/api/messages/protected?lang=en',
      'states: 3, codes: none, encoded %3D sign',
      "{ statusCode: 401, errorCode: 'E1' }",
    ]) {
      expect(redactString(text)).toBe(text);
    }
  });

  it('finds a secret in any of these shapes, whatever surrounds it (property)', () => {
    const value = fc
      .stringMatching(/^[A-Za-z0-9._~-]{12,48}$/)
      .filter((v) => /[0-9]/.test(v) && /[A-Za-z]/.test(v));
    const name = fc.constantFrom(
      'code',
      'state',
      'nonce',
      'code_verifier',
      'device_code',
      'refresh_token',
      'access_token',
      'id_token',
      'client_secret',
      'password',
      'refreshToken',
      'session_token',
    );
    const noise = fc.string({ maxLength: 20 }).map((text) => text.replace(/[%=&?#"'\\]/g, ' '));
    const shape = fc.constantFrom(
      (n: string, v: string) => JSON.stringify({ other: 1, [n]: v }),
      (n: string, v: string) => JSON.stringify(JSON.stringify({ [n]: v, other: 'x' })),
      (n: string, v: string) => `{ ${n}: '${v}' }`,
      (n: string, v: string) => `http://127.0.0.1:1234/cb?${n}=${v}&iss=x`,
      (n: string, v: string) =>
        `redirect=${encodeURIComponent(`http://127.0.0.1:1234/cb?a=1&${n}=${v}&b=2`)}`,
      (n: string, v: string) =>
        `redirect=${encodeURIComponent(encodeURIComponent(`http://h/cb?${n}=${v}#x`))}`,
      (n: string, v: string) => `${n}=${v}`,
    );
    fc.assert(
      fc.property(name, value, shape, noise, noise, (n, v, make, before, after) => {
        const text = `${before} ${make(n, v)} ${after}`;
        const out = redactString(text);
        expect(out.includes(v), `leaked in ${out}`).toBe(false);
        expect(JSON.stringify(redactSecrets({ [n]: v, text })).includes(v)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('every logger goes through redaction', () => {
  it('redactingLogger: whatever a caller passes, the wrapped logger receives no token', () => {
    const logger = recordingLogger();
    const { lines } = logger;
    const safe = redactingLogger(logger);
    for (const [message, fields] of CARELESS_CALLS) {
      safe.info(message, fields);
      safe.warn(message, fields);
      safe.error(message, fields);
    }
    expect(lines).toHaveLength(CARELESS_CALLS.length * 3);
    expectClean(lines.join('\n'));
  });

  it('the core wraps the logger its host gives it: a token in any core log call never reaches the host', async () => {
    const logger = recordingLogger();
    const { lines } = logger;
    const core = createAuthCore(
      configFor({
        issuer: 'http://127.0.0.1:9',
        clientId: 'c',
        audience: 'a',
        apiUrl: 'http://127.0.0.1:9',
      }),
      {
        openExternal: async () => {},
        cipher: {
          isAvailable: async () => false,
          encrypt: async () => '',
          decrypt: async () => '',
        },
        store: { get: () => undefined, set: () => {}, delete: () => {} },
        emit: () => {},
        log: logger,
        transport: envTransport(),
      },
    );
    // The logger the session manager (and so every core module) writes to.
    const coreLog = (core.session as unknown as { log: Logger }).log;
    for (const [message, fields] of CARELESS_CALLS) coreLog.error(message, fields);
    await core.restore();
    expect(lines.length).toBeGreaterThan(CARELESS_CALLS.length);
    expectClean(lines.join('\n'));
    // A failure's code is logged under a name redaction leaves alone (not `code`).
    expect(await core.session.login()).toMatchObject({ ok: false });
    expect(lines.find((line) => line.startsWith('warn sign-in failed'))).toMatch(
      /"error":"[a-z_]+"/,
    );
    await core.close();
  });

  it('the Electron console logger redacts every line', () => {
    const out: string[] = [];
    for (const level of ['info', 'warn', 'error'] as const)
      vi.spyOn(console, level).mockImplementation(
        (...args: unknown[]) => void out.push(args.map(String).join(' ')),
      );
    const log = createConsoleLogger('electron');
    for (const [message, fields] of CARELESS_CALLS) {
      log.info(message, fields);
      log.warn(message, fields);
      log.error(message, fields);
    }
    expect(out).toHaveLength(CARELESS_CALLS.length * 3);
    expect(out[0]).toMatch(/^\[electron\] /);
    expectClean(out.join('\n'));
  });

  it('the preview CLI logger redacts every line, and the CLI uses it', () => {
    const out: string[] = [];
    for (const level of ['log', 'warn', 'error'] as const)
      vi.spyOn(console, level).mockImplementation(
        (...args: unknown[]) =>
          void out.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')),
      );
    const log = createPreviewConsoleLogger();
    for (const [message, fields] of CARELESS_CALLS) {
      log.info(message, fields);
      log.warn(message, fields);
      log.error(message, fields);
    }
    expect(out).toHaveLength(CARELESS_CALLS.length * 3);
    expect(out[0]).toMatch(/^\[core\] /);
    expectClean(out.join('\n'));
    expect(readFileSync(new URL('../../src-main/preview/cli.ts', import.meta.url), 'utf8')).toMatch(
      /log: createPreviewConsoleLogger\(\)/,
    );
    expect(
      readFileSync(new URL('../../src-main/electron/main.ts', import.meta.url), 'utf8'),
    ).toMatch(/createConsoleLogger\(/);
  });
});

describe('proxy credentials (user:password@ in a proxy URL) never reach a log', () => {
  const USER = 'alice.proxyuser';
  const PASSWORD = 'Pr0xy-s3cret';
  const clean = (text: string) => {
    expect(text.includes(USER), `leaked the user in ${text}`).toBe(false);
    expect(text.includes(PASSWORD), `leaked the password in ${text}`).toBe(false);
  };

  it.each([
    ['an HTTPS_PROXY value', `HTTPS_PROXY=http://${USER}:${PASSWORD}@proxy.corp:3128`],
    ['an https:// proxy', `using https://${USER}:${PASSWORD}@proxy.corp:8443/`],
    ['a user with %40 in it', `proxy http://${USER}%40corp.example:${PASSWORD}@proxy.corp:3128`],
    ['JSON', JSON.stringify({ proxy: `http://${USER}:${PASSWORD}@proxy.corp:3128` })],
    ['percent-encoded', `u=${encodeURIComponent(`http://${USER}:${PASSWORD}@proxy.corp:3128`)}`],
    [
      'percent-encoded twice',
      `u=${encodeURIComponent(encodeURIComponent(`http://${USER}:${PASSWORD}@proxy.corp`))}`,
    ],
    ['without a scheme, as PROXY may be written', `PROXY=${USER}:${PASSWORD}@proxy.corp:3128`],
    ['in an error message', `connect ECONNREFUSED for http://${USER}:${PASSWORD}@10.0.0.1:3128`],
  ])('%s', (_name, text) => {
    const out = redactString(text);
    clean(out);
    expect(out).toContain(REDACTED);
    // Where the proxy is stays readable: that is what a person needs from the log.
    expect(out).toMatch(/proxy\.corp|10\.0\.0\.1/);
    clean(JSON.stringify(redactSecrets({ message: text })));
  });

  it('redacts a URL object and a field holding a proxy URL', () => {
    const out = JSON.stringify(
      redactSecrets({
        proxy: new URL(`http://${USER}:${PASSWORD}@proxy.corp:3128`),
        config: { https: { url: `http://${USER}:${PASSWORD}@proxy.corp:3128/` } },
      }),
    );
    clean(out);
    expect(out).toContain('proxy.corp:3128');
  });

  it('leaves addresses without credentials alone', () => {
    for (const text of [
      'http://proxy.corp:3128',
      'via proxy proxy.corp:3128',
      'mail bob@example.com at 10:00',
      'http://proxy.corp:3128/a@b',
    ]) {
      expect(redactString(text)).toBe(text);
    }
  });
});
