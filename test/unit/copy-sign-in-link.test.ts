/**
 * "Copy sign-in link" (issue 19) at the boundary, without a provider: the channel takes no argument
 * (the renderer cannot choose what goes on the clipboard, nor hand a URL in), and with no sign-in
 * waiting it is refused and nothing is copied. The journeys are test/integration/sign-in-link.test.ts
 * (real devstack, Chromium) and test/e2e/sign-in-link.spec.ts (the button).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bridgeMethods } from '../../src-preload/contract.ts';
import { parseRequest } from '../../src-preload/contract-validators.ts';
import { createAuthCore } from '../../src-main/core/auth-core.ts';
import { parseConfig } from '../../src-main/core/config.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import { envTransport } from '../support/transport.ts';

const CHANNEL = 'auth:copy-sign-in-link';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the auth:copy-sign-in-link validator', () => {
  it('is the bridge method copySignInLink and takes no argument', () => {
    expect(bridgeMethods.copySignInLink).toBe(CHANNEL);
    expect(parseRequest(CHANNEL, [])).toEqual({ ok: true, channel: CHANNEL, args: [] });
  });

  it.each([
    ['a URL of the renderer’s choosing', ['https://evil.example/authorize?state=x']],
    ['any string', ['x']],
    ['an empty string', ['']],
    ['an object', [{ url: 'https://evil.example' }]],
    ['null', [null]],
    ['two arguments', [undefined, undefined]],
    ['no array at all', 'https://evil.example'],
    ['an object instead of the list', { 0: 'x', length: 1 }],
    ['null instead of the list', null],
  ])('refuses %s', (_what, args) => {
    expect(parseRequest(CHANNEL, args)).toEqual({
      ok: false,
      error: { code: 'invalid_request', message: `Invalid arguments for ${CHANNEL}.` },
    });
  });
});

describe('auth:copy-sign-in-link through the handler table', () => {
  function core() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'copy-link-'));
    dirs.push(dir);
    const copied: string[] = [];
    const config = parseConfig({
      AUTH0_DOMAIN: 'http://127.0.0.1:9/',
      AUTH0_CLIENT_ID: 'unit-client',
      AUTH0_AUDIENCE: 'https://hello-world.example.com',
      API_SERVER_URL: 'http://127.0.0.1:9',
    });
    const authCore = createAuthCore(config, {
      store: new JsonFileStore(path.join(dir, 'session.json')),
      cipher: new KeyFileBesideDataCipher(dir),
      openExternal: async () => {},
      emit: () => {},
      copyText: (text) => void copied.push(text),
      transport: envTransport(),
    });
    return { authCore, copied };
  }

  it('refuses an argument before the session is asked, and copies nothing', async () => {
    const { authCore, copied } = core();
    await authCore.restore();
    expect(await authCore.handle(CHANNEL, ['https://evil.example/'])).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(copied).toEqual([]);
  });

  it('with no sign-in waiting: refused with a sentence the banner can show, nothing copied', async () => {
    const { authCore, copied } = core();
    await authCore.restore();
    const answer = await authCore.handle(CHANNEL, []);
    expect(answer).toEqual({
      ok: false,
      error: {
        code: 'invalid_request',
        message: expect.stringContaining('a sign-in link works only once, while its sign-in waits'),
      },
    });
    expect(copied).toEqual([]);
    await authCore.close();
  });
});
