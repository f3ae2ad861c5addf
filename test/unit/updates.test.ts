/**
 * The update core's pure parts (issue 20): settings and where they come from, the signature, the
 * rollout, what each installation does, the words Settings shows, and the HTTP executor's rules
 * (with a fetch-shaped stand-in transport: no port is opened here).
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { CancellationToken } from 'builder-util-runtime';
import { afterAll, describe, expect, it } from 'vitest';
import {
  parseUpdateConfig,
  parseUpdatePublicKey,
  readUpdateSettings,
} from '../../src-main/core/config.ts';
import { readManagedSettings } from '../../src-main/core/settings.ts';
import {
  decideRollout,
  placeOf,
  readOrCreateInstallationId,
} from '../../src-main/core/updates/rollout.ts';
import {
  isAllowedUpdateUrl,
  UpdateHttpExecutor,
  type UpdateTransport,
} from '../../src-main/core/updates/update-http.ts';
import { channelFileFor, installKindFor } from '../../src-main/core/updates/update-platform.ts';
import { readBuildFeed, resolveUpdateSetup } from '../../src-main/core/updates/update-setup.ts';
import { signUpdateInfo, verifyUpdateInfo } from '../../src-main/core/updates/update-signature.ts';
import type { UpdateState } from '../../src-preload/contract.ts';
import { describeUpdate, heldBackNote } from '../../src-renderer/pages/settings/update-words.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const publicDer = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const made: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'update-unit-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('update settings (config.ts: one parser, messages that name the setting)', () => {
  it('accepts the three settings and defaults AUTO_UPDATE to on', () => {
    const config = parseUpdateConfig({
      UPDATE_FEED_URL: 'https://updates.example.com/app/',
      UPDATE_PUBLIC_KEY: publicDer,
    });
    expect(config.autoUpdate).toBe(true);
    expect(config.feedUrl?.href).toBe('https://updates.example.com/app/');
    expect(config.publicKey?.asymmetricKeyType).toBe('ed25519');
    expect(parseUpdateConfig({ AUTO_UPDATE: 'FALSE' }).autoUpdate).toBe(false);
  });

  it.each([
    [{ AUTO_UPDATE: 'yes' }, 'AUTO_UPDATE: "yes" is not true or false.'],
    [
      { UPDATE_FEED_URL: 'http://updates.example.com/' },
      'UPDATE_FEED_URL: http: is only allowed for loopback hosts (127.0.0.1, ::1, localhost); use https:// for updates.example.com.',
    ],
    [
      { UPDATE_FEED_URL: 'ftp://updates.example.com/' },
      'UPDATE_FEED_URL: must be an https:// URL (got ftp:).',
    ],
    [{ UPDATE_FEED_URL: 'updates' }, 'UPDATE_FEED_URL: "updates" is not a URL.'],
    [
      { UPDATE_FEED_URL: 'https://u:p@updates.example.com/' },
      'UPDATE_FEED_URL: must not contain credentials.',
    ],
    [
      { UPDATE_FEED_URL: 'https://updates.example.com/#x' },
      'UPDATE_FEED_URL: must not contain a fragment.',
    ],
    [
      { UPDATE_PUBLIC_KEY: 'not a key' },
      'UPDATE_PUBLIC_KEY: is not a public key (base64 SPKI DER, or a PEM "PUBLIC KEY" block).',
    ],
    [
      {
        UPDATE_PUBLIC_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .publicKey.export({ type: 'spki', format: 'der' })
          .toString('base64'),
      },
      'UPDATE_PUBLIC_KEY: must be an Ed25519 key (this one is ec).',
    ],
  ])('refuses %j: %s', (settings, message) => {
    expect(() => parseUpdateConfig(settings)).toThrow(message);
  });

  it('takes the key as base64 SPKI DER (also wrapped), as PEM, and as PEM with \\n written out', () => {
    const wrapped = publicDer.replace(/(.{20})/g, '$1\n ');
    const escaped = publicPem.trim().replace(/\n/g, '\\n');
    for (const value of [publicDer, wrapped, publicPem, escaped])
      expect(parseUpdatePublicKey(value).equals(publicKey)).toBe(true);
  });

  it('reads them from the environment and .env, the environment first', () => {
    const dir = tmp();
    writeFileSync(
      path.join(dir, '.env'),
      'AUTO_UPDATE=false\nUPDATE_FEED_URL=https://a.example/\n',
    );
    expect(readUpdateSettings({ UPDATE_FEED_URL: ' https://b.example/ ' }, dir)).toEqual({
      AUTO_UPDATE: 'false',
      UPDATE_FEED_URL: 'https://b.example/',
    });
  });

  it("app-config.json may set AUTO_UPDATE and UPDATE_FEED_URL, never the build's key", () => {
    const dir = tmp();
    const file = path.join(dir, 'app-config.json');
    writeFileSync(
      file,
      JSON.stringify({ AUTO_UPDATE: false, UPDATE_FEED_URL: 'https://u.example/' }),
    );
    expect(readManagedSettings(file)).toEqual({
      AUTO_UPDATE: 'false',
      UPDATE_FEED_URL: 'https://u.example/',
    });
    writeFileSync(file, JSON.stringify({ UPDATE_PUBLIC_KEY: publicDer }));
    expect(() => readManagedSettings(file)).toThrow(
      `${file}: "UPDATE_PUBLIC_KEY" is the build's (the key its updates are signed with), not a managed setting.`,
    );
  });
});

describe('resolveUpdateSetup: precedence, and what the settings amount to', () => {
  const feed = 'https://updates.example.com/';
  const build = { UPDATE_PUBLIC_KEY: publicDer };

  it('a packaged app: the organisation (app-config.json) outranks the environment; development: the other way round', () => {
    const layers = {
      environment: { AUTO_UPDATE: 'true', UPDATE_FEED_URL: 'https://env.example/' },
      managed: { AUTO_UPDATE: 'false', UPDATE_FEED_URL: 'https://org.example/' },
      build,
    };
    expect(resolveUpdateSetup(layers, { order: 'managed-first' })).toEqual({
      kind: 'off',
      source: 'managed',
    });
    expect(resolveUpdateSetup(layers, { order: 'environment-first' })).toMatchObject({
      kind: 'on',
      feedUrl: new URL('https://env.example/'),
      sources: {
        AUTO_UPDATE: 'environment',
        UPDATE_FEED_URL: 'environment',
        UPDATE_PUBLIC_KEY: 'build',
      },
    });
    expect(
      resolveUpdateSetup(
        { ...layers, managed: { UPDATE_FEED_URL: 'https://org.example/' } },
        { order: 'managed-first' },
      ),
    ).toMatchObject({
      kind: 'on',
      feedUrl: new URL('https://org.example/'),
      sources: { UPDATE_FEED_URL: 'managed' },
    });
  });

  it("the build's feed when no administrator names one", () => {
    expect(
      resolveUpdateSetup(
        { environment: {}, managed: {}, build: { ...build, UPDATE_FEED_URL: feed } },
        { order: 'managed-first' },
      ),
    ).toMatchObject({ kind: 'on', feedUrl: new URL(feed), sources: { UPDATE_FEED_URL: 'build' } });
  });

  it("the build's key outranks the environment's; the environment's serves builds without one", () => {
    const other = generateKeyPairSync('ed25519').publicKey;
    const otherDer = other.export({ type: 'spki', format: 'der' }).toString('base64');
    const on = (setup: ReturnType<typeof resolveUpdateSetup>) => {
      if (setup.kind !== 'on') throw new Error(setup.kind);
      return setup;
    };
    const withBuildKey = on(
      resolveUpdateSetup(
        { environment: { UPDATE_FEED_URL: feed, UPDATE_PUBLIC_KEY: otherDer }, managed: {}, build },
        { order: 'managed-first' },
      ),
    );
    expect(withBuildKey.publicKey.equals(publicKey)).toBe(true);
    const withoutBuildKey = on(
      resolveUpdateSetup(
        {
          environment: { UPDATE_FEED_URL: feed, UPDATE_PUBLIC_KEY: otherDer },
          managed: {},
          build: {},
        },
        { order: 'environment-first' },
      ),
    );
    expect(withoutBuildKey.publicKey.equals(other)).toBe(true);
  });

  it('off wins over everything else, even settings that are wrong', () => {
    expect(
      resolveUpdateSetup(
        {
          environment: { AUTO_UPDATE: 'false', UPDATE_FEED_URL: 'ftp://x' },
          managed: {},
          build: {},
        },
        { order: 'managed-first' },
      ),
    ).toEqual({ kind: 'off', source: 'environment' });
  });

  it('not set up without a feed or without a key; misconfigured names the setting', () => {
    const resolve = (environment: Record<string, string>, withBuild = {}) =>
      resolveUpdateSetup(
        { environment, managed: {}, build: withBuild },
        { order: 'managed-first' },
      );
    expect(resolve({}, build)).toEqual({ kind: 'not-set-up', missing: 'UPDATE_FEED_URL' });
    expect(resolve({ UPDATE_FEED_URL: feed })).toEqual({
      kind: 'not-set-up',
      missing: 'UPDATE_PUBLIC_KEY',
    });
    expect(resolve({ AUTO_UPDATE: 'maybe', UPDATE_FEED_URL: feed }, build)).toEqual({
      kind: 'misconfigured',
      setting: 'AUTO_UPDATE',
      message: 'AUTO_UPDATE: "maybe" is not true or false.',
    });
  });

  it("reads the build's generic feed from electron-builder's app-update.yml, nothing else", () => {
    const dir = tmp();
    const file = path.join(dir, 'app-update.yml');
    writeFileSync(
      file,
      'provider: generic\nurl: https://updates.example.com/app\nupdaterCacheDirName: x-updater\n',
    );
    expect(readBuildFeed(file)).toBe('https://updates.example.com/app');
    writeFileSync(file, 'provider: github\nowner: o\nrepo: r\n');
    expect(readBuildFeed(file)).toBeUndefined();
    expect(readBuildFeed(path.join(dir, 'missing.yml'))).toBeUndefined();
    expect(readBuildFeed(undefined)).toBeUndefined();
  });
});

describe('the signature over latest*.yml', () => {
  const info = () => ({
    version: '1.1.0',
    files: [{ url: 'App-1.1.0.AppImage', sha512: 'c2hhNTEy', size: 1000, blockMapSize: 12 }],
    path: 'App-1.1.0.AppImage',
    sha512: 'c2hhNTEy',
    releaseDate: '2026-01-01T00:00:00.000Z',
    blockMaps: { 'App-1.0.0.exe.blockmap': 'b2xk' },
  });
  const signed = (channel = 'latest-linux.yml') => {
    const record: Record<string, unknown> = info();
    record.signature = signUpdateInfo(channel, record, privateKey);
    return record;
  };

  it('verifies with the public key, whatever the order of keys', () => {
    const record = signed();
    const reordered = Object.fromEntries(Object.entries(record).reverse());
    (reordered.files as Array<Record<string, unknown>>)[0] = Object.fromEntries(
      Object.entries((record.files as Array<Record<string, unknown>>)[0]!).reverse(),
    );
    expect(verifyUpdateInfo('latest-linux.yml', record, publicKey)).toEqual({ ok: true });
    expect(verifyUpdateInfo('latest-linux.yml', reordered, publicKey)).toEqual({ ok: true });
  });

  it.each([
    ['version', (r: Record<string, unknown>) => (r.version = '1.1.1')],
    ['path', (r: Record<string, unknown>) => (r.path = 'Other.AppImage')],
    ['sha512', (r: Record<string, unknown>) => (r.sha512 = 'b3RoZXI=')],
    [
      'a file url',
      (r: Record<string, unknown>) => ((r.files as Array<Record<string, unknown>>)[0]!.url = 'x'),
    ],
    [
      'a file size',
      (r: Record<string, unknown>) => ((r.files as Array<Record<string, unknown>>)[0]!.size = 1),
    ],
    [
      'a file added',
      (r: Record<string, unknown>) => (r.files as unknown[]).push({ url: 'y', sha512: 'z' }),
    ],
    [
      'isAdminRightsRequired added',
      (r: Record<string, unknown>) =>
        ((r.files as Array<Record<string, unknown>>)[0]!.isAdminRightsRequired = true),
    ],
    [
      'packages added (NSIS web installer)',
      (r: Record<string, unknown>) => (r.packages = { x64: {} }),
    ],
    ['the blockmap list', (r: Record<string, unknown>) => (r.blockMaps = {})],
  ])('breaks when %s changes', (_, change) => {
    const record = signed();
    change(record);
    expect(verifyUpdateInfo('latest-linux.yml', record, publicKey)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('does not cover what a feed host may change: the staging percentage, dates and notes', () => {
    const record = signed();
    Object.assign(record, {
      stagingPercentage: 10,
      releaseDate: '2027-01-01T00:00:00.000Z',
      releaseNotes: 'x',
      releaseName: 'y',
      minimumSystemVersion: '1',
    });
    expect(verifyUpdateInfo('latest-linux.yml', record, publicKey)).toEqual({ ok: true });
  });

  it("is bound to the channel file's name, to the key, and must be there", () => {
    const record = signed('latest.yml');
    expect(verifyUpdateInfo('latest-linux.yml', record, publicKey)).toMatchObject({ ok: false });
    expect(verifyUpdateInfo('latest.yml', record, publicKey)).toEqual({ ok: true });
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(verifyUpdateInfo('latest.yml', record, other)).toMatchObject({
      reason: 'bad-signature',
    });
    expect(verifyUpdateInfo('latest.yml', info(), publicKey)).toEqual({
      ok: false,
      reason: 'unsigned',
      message: 'latest.yml is not signed.',
    });
    expect(
      verifyUpdateInfo('latest.yml', { ...info(), signature: 'rsa:abc' }, publicKey),
    ).toMatchObject({
      reason: 'bad-signature',
    });
  });

  it('signs only with an Ed25519 key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(() => signUpdateInfo('latest.yml', info(), rsa)).toThrow(/Ed25519/);
  });
});

describe('the staged rollout', () => {
  const first = '6f1c2a9e-3b7d-4c1e-8a2b-000000000000';
  const middle = '6f1c2a9e-3b7d-4c1e-8a2b-000080000000';
  const last = '6f1c2a9e-3b7d-4c1e-8a2b-0000ffffffff';

  it('places an installation by the last four bytes of its id', () => {
    expect(placeOf(first)).toBe(0);
    expect(placeOf(middle)).toBe(50);
    expect(placeOf(last)).toBeCloseTo(100, 6);
    expect(placeOf(last)).toBeLessThan(100);
  });

  it.each([
    [undefined, last, true],
    [null, last, true],
    [0, first, false],
    [100, last, true],
    [50, middle, false],
    [50.5, middle, true],
    ['50', first, true],
    ['abc', first, false],
    [-1, first, false],
    [101, first, false],
    [Number.NaN, first, false],
  ])('stagingPercentage %j, id %s: in %s', (percentage, id, inRollout) => {
    expect(decideRollout(percentage, id).inRollout).toBe(inRollout);
  });

  it('keeps the installation id in the profile, owner-only, and replaces an unreadable one', () => {
    const dir = tmp();
    const id = readOrCreateInstallationId(dir);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(readOrCreateInstallationId(dir)).toBe(id);
    expect(statSync(path.join(dir, '.updaterId')).mode & 0o777).toBe(0o600);
    writeFileSync(path.join(dir, '.updaterId'), 'garbage');
    const replaced = readOrCreateInstallationId(dir);
    expect(replaced).not.toBe(id);
    expect(readFileSync(path.join(dir, '.updaterId'), 'utf8')).toBe(replaced);
    const pinned = randomUUID();
    writeFileSync(path.join(dir, '.updaterId'), pinned);
    expect(readOrCreateInstallationId(dir)).toBe(pinned);
  });
});

describe('what each installation does', () => {
  it.each([
    ['linux', true, { APPIMAGE: '/home/a/App.AppImage' }, 'appimage'],
    ['linux', true, {}, 'package-manager'],
    ['linux', true, { APPIMAGE: 'relative.AppImage' }, 'package-manager'],
    ['win32', true, {}, 'nsis'],
    ['darwin', true, {}, 'mac'],
    ['linux', false, { APPIMAGE: '/x.AppImage' }, 'not-installed'],
    ['win32', false, {}, 'not-installed'],
  ] as const)('%s, packaged %s, env %j: %s', (platform, packaged, env, kind) => {
    expect(installKindFor({ platform, packaged, env })).toBe(kind);
  });

  it("asks for electron-updater's channel file names", () => {
    expect(channelFileFor('linux', 'x64')).toBe('latest-linux.yml');
    expect(channelFileFor('linux', 'arm64')).toBe('latest-linux-arm64.yml');
    expect(channelFileFor('win32', 'x64')).toBe('latest.yml');
    expect(channelFileFor('darwin', 'arm64')).toBe('latest-mac.yml');
  });
});

describe('what Settings → Updates says', () => {
  it.each<[UpdateState, string]>([
    [{ kind: 'off', source: 'managed' }, 'Updates are turned off by your organisation.'],
    [{ kind: 'off', source: 'environment' }, 'Updates are turned off by the environment.'],
    [{ kind: 'not-set-up', missing: 'UPDATE_FEED_URL' }, 'Updates are not set up for this build.'],
    [{ kind: 'package-manager' }, 'Update with your package manager.'],
    [{ kind: 'up-to-date', checkedAt: '2026-01-01T00:00:00.000Z' }, 'Up to date'],
    [{ kind: 'available', version: '1.2.0' }, 'Version 1.2.0 is available'],
    [
      { kind: 'downloading', version: '1.2.0', percent: 42, transferred: 42, total: 100 },
      'Downloading… 42 %',
    ],
    [{ kind: 'ready', version: '1.2.0' }, 'Ready: restart to update'],
    [
      { kind: 'waiting-to-restart', version: '1.2.0', waitingFor: 'sign-in' },
      'Ready: the restart waits for the sign-in to finish',
    ],
    [
      {
        kind: 'refused',
        reason: 'unsigned',
        version: '1.2.0',
        message: 'latest.yml is not signed.',
      },
      'Update refused: latest.yml is not signed.',
    ],
  ])('%j → %s', (state, text) => {
    expect(describeUpdate(state)).toBe(text);
  });

  it.each<[Extract<UpdateState, { kind: 'up-to-date' }>['heldBack'], RegExp]>([
    ['older', /^The feed offers version 0\.9\.0, which is not newer: it is not installed\.$/],
    ['staged', /^Version 0\.9\.0 is being offered to some installations first/],
    ['system', /^Version 0\.9\.0 does not run on this version of the operating system\.$/],
  ])('under "Up to date", why the feed\'s version was held back: %s', (heldBack, text) => {
    expect(heldBackNote({ kind: 'up-to-date', checkedAt: '', latest: '0.9.0', heldBack })).toMatch(
      text,
    );
  });
});

describe('the HTTP executor (fetch-shaped transport)', () => {
  type Call = { url: string; headers: Record<string, string> };
  const transport = (answer: (url: string) => Response) => {
    const calls: Call[] = [];
    const fetch: UpdateTransport = async (url, init) => {
      calls.push({ url: String(url), headers: init?.headers as Record<string, string> });
      return answer(String(url));
    };
    return { calls, fetch };
  };
  const partsOf = (url: string) => {
    const parsed = new URL(url);
    return {
      protocol: parsed.protocol,
      hostname: parsed.hostname,
      port: parsed.port,
      path: parsed.pathname + parsed.search,
    };
  };
  const get = (executor: UpdateHttpExecutor, url: string) =>
    executor.request(partsOf(url), new CancellationToken());

  it.each([
    ['https://updates.example.com/latest.yml', true],
    ['http://127.0.0.1:8080/latest.yml', true],
    ['http://localhost/latest.yml', true],
    ['http://updates.example.com/latest.yml', false],
    ['file:///etc/passwd', false],
    ['https://user:pw@updates.example.com/', false],
  ])('%s allowed: %s', (url, allowed) => {
    expect(isAllowedUpdateUrl(new URL(url))).toBe(allowed);
  });

  it('sends no installation id and asks for no compression', async () => {
    const { calls, fetch } = transport(() => new Response('version: 1.0.0\n'));
    const executor = new UpdateHttpExecutor(fetch);
    await executor.request(
      {
        ...partsOf('https://updates.example.com/latest.yml'),
        headers: { 'x-user-staging-id': randomUUID(), 'Accept-Encoding': 'gzip' },
      },
      new CancellationToken(),
    );
    expect(calls[0]!.headers['x-user-staging-id']).toBeUndefined();
    expect(calls[0]!.headers['accept-encoding']).toBe('identity');
  });

  it('follows redirects on https and loopback, refuses one to plain http elsewhere', async () => {
    const { calls, fetch } = transport((url) =>
      url.endsWith('/a')
        ? new Response(null, { status: 302, headers: { location: 'https://cdn.example.com/b' } })
        : url.endsWith('/b')
          ? new Response(null, { status: 302, headers: { location: 'http://evil.example.com/c' } })
          : new Response('never'),
    );
    const executor = new UpdateHttpExecutor(fetch);
    await expect(get(executor, 'https://updates.example.com/a')).rejects.toMatchObject({
      code: 'ERR_UPDATER_URL_NOT_ALLOWED',
    });
    expect(calls.map((call) => call.url)).toEqual([
      'https://updates.example.com/a',
      'https://cdn.example.com/b',
    ]);
  });

  it('uses a separate blockmap only when the signed metadata lists its sha512', async () => {
    const blockmap = Buffer.from('blockmap bytes');
    const { fetch } = transport(() => new Response(blockmap));
    const executor = new UpdateHttpExecutor(fetch);
    const url = new URL('https://updates.example.com/App-Setup-1.1.0.exe.blockmap');
    const options = { cancellationToken: new CancellationToken() };
    await expect(executor.downloadToBuffer(url, options)).rejects.toMatchObject({
      code: 'ERR_UPDATER_BLOCKMAP_NOT_SIGNED',
    });
    executor.trustBlockMaps({ 'App-Setup-1.1.0.exe.blockmap': 'd3Jvbmc=' });
    await expect(executor.downloadToBuffer(url, options)).rejects.toMatchObject({
      code: 'ERR_UPDATER_BLOCKMAP_MISMATCH',
    });
    const { createHash } = await import('node:crypto');
    executor.trustBlockMaps({
      'App-Setup-1.1.0.exe.blockmap': createHash('sha512').update(blockmap).digest('base64'),
    });
    expect(await executor.downloadToBuffer(url, options)).toEqual(blockmap);
  });

  it('fails a request that receives nothing for its timeout', async () => {
    const fetch: UpdateTransport = (_url, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    const executor = new UpdateHttpExecutor(fetch);
    await expect(
      executor.request(
        { ...partsOf('https://updates.example.com/latest.yml'), timeout: 50 },
        new CancellationToken(),
      ),
    ).rejects.toThrow(/timed out/);
  });

  it('extends the builder-util-runtime copy electron-updater itself uses (its errors and cancellation match)', () => {
    const ours = createRequire(import.meta.url).resolve('builder-util-runtime');
    const theirs = createRequire(
      createRequire(import.meta.url).resolve('electron-updater'),
    ).resolve('builder-util-runtime');
    expect(ours).toBe(theirs);
  });
});
