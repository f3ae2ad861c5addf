import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appScheme,
  contentTypeFor,
  createAppProtocolHandler,
  resolveAppFile,
} from '../../src-main/electron/app-protocol.ts';
import { cspFor } from '../../src-main/electron/policy.ts';

let base: string;
let root: string;

beforeAll(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'app-protocol-'));
  root = path.join(base, 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(
    path.join(root, 'index.html'),
    '<!doctype html><script type="module" src="./assets/index.js"></script>',
  );
  writeFileSync(path.join(root, 'assets', 'index.js'), 'console.log("app")');
  writeFileSync(path.join(root, 'assets', 'my file.css'), 'body{}');
  writeFileSync(path.join(base, 'secret.txt'), 'outside the renderer');
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the app:// scheme', () => {
  it('is standard, secure and fetchable, and does not bypass the CSP', () => {
    expect(appScheme).toEqual({
      scheme: 'app',
      privileges: { standard: true, secure: true, supportFetchAPI: true },
    });
  });
});

describe('resolveAppFile', () => {
  it('maps app://renderer paths into the renderer folder, / to index.html', () => {
    expect(resolveAppFile(root, 'app://renderer/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://renderer/index.html#/profile')).toBe(
      path.join(root, 'index.html'),
    );
    expect(resolveAppFile(root, 'app://renderer/assets/index.js?v=1')).toBe(
      path.join(root, 'assets', 'index.js'),
    );
    expect(resolveAppFile(root, 'app://renderer/assets/my%20file.css')).toBe(
      path.join(root, 'assets', 'my file.css'),
    );
  });
  it('refuses every way out of the renderer folder', () => {
    for (const url of [
      'app://renderer/../secret.txt',
      'app://renderer/%2e%2e/secret.txt',
      'app://renderer/..%2fsecret.txt',
      'app://renderer/..%2F..%2F..%2Fetc%2Fpasswd',
      'app://renderer/assets/..%2f..%2fsecret.txt',
      'app://renderer/..%5csecret.txt',
      'app://renderer/%2fetc%2fpasswd',
      'app://renderer/index.html%00.js',
      'app://renderer/%E0%A4%A',
    ]) {
      const file = resolveAppFile(root, url);
      expect(file === null || file.startsWith(root + path.sep), `${url} → ${file}`).toBe(true);
      expect(file, url).not.toBe(path.join(base, 'secret.txt'));
    }
    expect(resolveAppFile(root, 'app://renderer/..%2fsecret.txt')).toBeNull();
    expect(resolveAppFile(root, 'app://renderer/index.html%00.js')).toBeNull();
  });
  it('serves only its own scheme and host', () => {
    expect(resolveAppFile(root, 'app://other/index.html')).toBeNull();
    expect(resolveAppFile(root, 'file:///index.html')).toBeNull();
    expect(resolveAppFile(root, 'https://renderer/index.html')).toBeNull();
    expect(resolveAppFile(root, 'not a url')).toBeNull();
  });
});

describe('contentTypeFor', () => {
  it('gives module scripts a JavaScript type (Chromium refuses them otherwise)', () => {
    expect(contentTypeFor('a/index-abc.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('index.HTML')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('style.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('logo.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('unknown.bin')).toBe('application/octet-stream');
  });
});

describe('createAppProtocolHandler', () => {
  const handler = () => createAppProtocolHandler({ rootDir: root, csp: cspFor('production') });

  it('answers the page with its type, nosniff and the production CSP', async () => {
    const response = await handler()(new Request('app://renderer/index.html'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe(cspFor('production'));
    expect(await response.text()).toContain('./assets/index.js');
  });
  it('serves scripts as JavaScript', async () => {
    const response = await handler()(new Request('app://renderer/assets/index.js'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });
  it('answers 404 for missing files, folders, and paths outside the renderer', async () => {
    for (const url of [
      'app://renderer/missing.js',
      'app://renderer/assets',
      'app://renderer/..%2fsecret.txt',
      'app://other/index.html',
    ]) {
      const response = await handler()(new Request(url));
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('outside the renderer');
    }
  });
  it('only reads, never accepts writes', async () => {
    const response = await handler()(
      new Request('app://renderer/index.html', { method: 'POST', body: 'x' }),
    );
    expect(response.status).toBe(405);
  });
  it('answers HEAD without a body', async () => {
    const response = await handler()(new Request('app://renderer/index.html', { method: 'HEAD' }));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
  it('sends no CSP header when given none (development)', async () => {
    const response = await createAppProtocolHandler({ rootDir: root, csp: null })(
      new Request('app://renderer/'),
    );
    expect(response.headers.has('content-security-policy')).toBe(false);
  });
});
