import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  cspFor,
  isAcceptedElectronVersion,
  isAllowedNavigation,
  isBrowserUrl,
  isExternalLinkAllowed,
  isTrustedSender,
  MINIMUM_ELECTRON_MAJOR,
  originOf,
  rendererSourceFor,
} from '../../src-main/electron/policy.ts';
import { PREVIEW_CSP } from '../../src-main/preview/static-files.ts';

describe('originOf', () => {
  it('gives app:// URLs a real origin, unlike Node’s URL#origin ("null")', () => {
    expect(new URL('app://renderer/index.html').origin).toBe('null');
    expect(originOf('app://renderer/index.html#/profile')).toBe('app://renderer');
  });
  it('keeps non-default ports and drops default ones', () => {
    expect(originOf('http://localhost:5173/src/main.tsx')).toBe('http://localhost:5173');
    expect(originOf('https://example.com:443/a')).toBe('https://example.com');
  });
  it('has no origin for URLs without a host or that do not parse', () => {
    expect(originOf('about:blank')).toBeNull();
    expect(originOf('file:///etc/passwd')).toBeNull();
    expect(originOf('not a url')).toBeNull();
  });
});

describe('rendererSourceFor', () => {
  it('serves the built renderer from app:// in production', () => {
    expect(rendererSourceFor({ devServerUrl: undefined, isPackaged: false })).toEqual({
      mode: 'production',
      url: APP_ENTRY_URL,
      origin: APP_ORIGIN,
    });
  });
  it('loads the Vite dev server when started by `vite` (unpackaged)', () => {
    expect(
      rendererSourceFor({ devServerUrl: 'http://localhost:5173/', isPackaged: false }),
    ).toEqual({
      mode: 'development',
      url: 'http://localhost:5173/',
      origin: 'http://localhost:5173',
    });
  });
  it('ignores VITE_DEV_SERVER_URL in a packaged app: an env var cannot point it at another page', () => {
    expect(
      rendererSourceFor({ devServerUrl: 'http://localhost:5173/', isPackaged: true }).mode,
    ).toBe('production');
  });
  it('refuses a dev server that is not on loopback, or not http(s)', () => {
    for (const devServerUrl of [
      'https://evil.example/',
      'http://192.168.1.10:5173/',
      'file:///tmp/index.html',
      'nonsense',
    ]) {
      expect(rendererSourceFor({ devServerUrl, isPackaged: false }).mode, devServerUrl).toBe(
        'production',
      );
    }
    expect(
      rendererSourceFor({ devServerUrl: 'http://127.0.0.1:5173/', isPackaged: false }).mode,
    ).toBe('development');
    expect(
      rendererSourceFor({ devServerUrl: 'http://[::1]:5173/', isPackaged: false }).origin,
    ).toBe('http://[::1]:5173');
  });
});

describe('isAllowedNavigation', () => {
  it('lets the window move inside the app', () => {
    expect(isAllowedNavigation('app://renderer/index.html#/admin', APP_ORIGIN)).toBe(true);
    expect(isAllowedNavigation('http://localhost:5173/#/profile', 'http://localhost:5173')).toBe(
      true,
    );
  });
  it('stops the window from leaving the app’s origin', () => {
    for (const url of [
      'https://evil.example/',
      'app://elsewhere/index.html',
      'http://localhost:5174/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<h1>hi</h1>',
      'http://127.0.0.1:4000/authorize',
    ]) {
      expect(isAllowedNavigation(url, APP_ORIGIN), url).toBe(false);
    }
  });
  it('does not treat the dev server as trusted in production', () => {
    expect(isAllowedNavigation('http://localhost:5173/', APP_ORIGIN)).toBe(false);
  });
});

describe('isExternalLinkAllowed', () => {
  it('opens https links in the system browser', () => {
    expect(isExternalLinkAllowed('https://auth0.com/docs')).toBe(true);
  });
  it('never hands other schemes to the OS from a link', () => {
    for (const url of [
      'http://example.com/',
      'file:///etc/passwd',
      'smb://host/share',
      'javascript:alert(1)',
      'ms-settings:',
      'nonsense',
    ]) {
      expect(isExternalLinkAllowed(url), url).toBe(false);
    }
  });
});

describe('isBrowserUrl (what openExternal accepts)', () => {
  it('accepts http(s): the loopback devstack is plain http', () => {
    expect(isBrowserUrl('http://127.0.0.1:4000/auth?client_id=x')).toBe(true);
    expect(isBrowserUrl('https://tenant.us.auth0.com/authorize')).toBe(true);
  });
  it('refuses anything that would launch another handler', () => {
    for (const url of [
      'file:///C:/Windows/System32/calc.exe',
      'smb://host/share',
      'vscode://x',
      'javascript:alert(1)',
      '',
    ]) {
      expect(isBrowserUrl(url), url).toBe(false);
    }
  });
});

describe('isTrustedSender', () => {
  it('answers the app’s own top frame', () => {
    expect(
      isTrustedSender({ url: 'app://renderer/index.html#/profile', parent: null }, APP_ORIGIN),
    ).toBe(true);
  });
  it('refuses a frame that is gone (null), a subframe, or another origin', () => {
    expect(isTrustedSender(null, APP_ORIGIN)).toBe(false);
    expect(isTrustedSender(undefined, APP_ORIGIN)).toBe(false);
    expect(isTrustedSender({ url: 'app://renderer/index.html', parent: {} }, APP_ORIGIN)).toBe(
      false,
    );
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, APP_ORIGIN)).toBe(false);
    expect(isTrustedSender({ url: 'about:blank', parent: null }, APP_ORIGIN)).toBe(false);
    expect(isTrustedSender({ url: 'http://localhost:5173/', parent: null }, APP_ORIGIN)).toBe(
      false,
    );
  });
  it('answers the dev server’s page in development', () => {
    expect(
      isTrustedSender({ url: 'http://localhost:5173/', parent: null }, 'http://localhost:5173'),
    ).toBe(true);
  });
});

/** A CSP as directive → sources. */
function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/** What checklist items 1 and 7 ask of a policy: restrictive, and nothing loaded over plain http/ws. */
function expectRestrictive(policy: string): void {
  const directives = parseCsp(policy);
  expect(directives.get('default-src')).toEqual(["'none'"]);
  expect(directives.get('script-src')).toEqual(["'self'"]);
  expect(directives.get('object-src')).toEqual(["'none'"]);
  expect(directives.get('base-uri')).toEqual(["'none'"]);
  for (const [name, sources] of directives) {
    for (const source of sources) {
      expect(source, `${name} ${source}`).not.toMatch(
        /^(\*|http:|ws:|ftp:|'unsafe-|'wasm-unsafe-eval'|blob:)/,
      );
    }
  }
}

describe('cspFor', () => {
  it('is the strict policy in production: nothing by default, nothing inline or evaluated, no frames, no forms', () => {
    expect(cspFor('production')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
    expectRestrictive(cspFor('production') ?? '');
  });
  it('is the preview’s policy too, but for default-src', () => {
    expect(PREVIEW_CSP).toBe(
      cspFor('production')!.replace("default-src 'none'", "default-src 'self'"),
    );
  });
  it('adds no header to the Vite dev server’s pages', () => {
    expect(cspFor('development')).toBeNull();
  });
  it('is matched by the renderer’s own <meta> policy, which also applies in development and the preview', () => {
    const html = readFileSync(new URL('../../src-renderer/index.html', import.meta.url), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
    expect(meta, 'src-renderer/index.html has a CSP <meta>').not.toBeNull();
    expectRestrictive(meta?.[1] ?? '');
  });
});

describe('isAcceptedElectronVersion (checklist item 16)', () => {
  it('accepts stable releases from the recorded floor up', () => {
    expect(isAcceptedElectronVersion(`${MINIMUM_ELECTRON_MAJOR}.0.0`)).toBe(true);
    expect(isAcceptedElectronVersion(`${MINIMUM_ELECTRON_MAJOR + 2}.1.3`)).toBe(true);
    expect(isAcceptedElectronVersion('v45.5.0', 45)).toBe(true);
  });
  it('refuses older majors, prereleases and nonsense', () => {
    for (const version of [
      `${MINIMUM_ELECTRON_MAJOR - 1}.9.9`,
      '28.3.3',
      `${MINIMUM_ELECTRON_MAJOR}.0.0-beta.3`,
      `${MINIMUM_ELECTRON_MAJOR + 1}.0.0-nightly.20260101`,
      '45',
      'latest',
      '',
    ]) {
      expect(isAcceptedElectronVersion(version), version).toBe(false);
    }
  });
  it('holds the installed Electron and the range in package.json to it', () => {
    const require = createRequire(import.meta.url);
    const installed = (require('electron/package.json') as { version: string }).version;
    expect(isAcceptedElectronVersion(installed), `installed electron ${installed}`).toBe(true);
    const packageJson = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { devDependencies: Record<string, string> };
    const range = packageJson.devDependencies.electron ?? '';
    // The lowest version the range admits (^45.5.0 → 45.5.0): npm may never install an older one.
    const lowest = /^[\^~]?(\d+\.\d+\.\d+)$/.exec(range)?.[1];
    expect(
      lowest,
      `package.json electron range "${range}" is ^x.y.z, ~x.y.z or x.y.z`,
    ).toBeDefined();
    expect(isAcceptedElectronVersion(lowest ?? ''), `package.json electron ${range}`).toBe(true);
  });
});
