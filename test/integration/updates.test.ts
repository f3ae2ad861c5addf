/**
 * Updates (issue 20), offline: a feed on 127.0.0.1 (update-feed.ts) serving releases built with
 * electron-builder's own blockmap code, electron-updater's real AppImageUpdater / NsisUpdater with
 * this app's adapter and HTTP executor, and the core's decision (UpdateService). The feed's request
 * log is the witness: what it did not serve was not downloaded.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { load, dump } from 'js-yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signFeed } from '../../scripts/update-sign.ts';
import { channelFileFor } from '../../src-main/core/updates/update-platform.ts';
import type { PendingActivity } from '../../src-preload/contract.ts';
import { startUpdateFeed, type UpdateFeed } from '../support/update-feed.ts';
import {
  createTestUpdates,
  makeInstallation,
  pinInstallationId,
  type TestInstallation,
  type TestUpdates,
} from '../support/update-harness.ts';
import {
  changeBytes,
  makeSigningKeys,
  randomPayload,
  sha512Of,
  writeAppImage,
  writeChannel,
  writeInstaller,
  type ReleaseFile,
} from '../support/update-release.ts';

const CHANNEL = channelFileFor(process.platform, process.arch);
const CURRENT = '1.0.0';
const NEXT = '1.1.0';
const MiB = 1024 * 1024;
/** Rollout places (update rollout.ts): the last four bytes of the id, as a fraction of 2^32. */
const FIRST_IN_LINE = '6f1c2a9e-3b7d-4c1e-8a2b-000000000000'; // place 0
const LAST_IN_LINE = '6f1c2a9e-3b7d-4c1e-8a2b-0000ffffffff'; // place 99.99…

// electron-updater must never load `electron` here (its autoUpdater getter would): every require
// of it is recorded.
const electronLoads: string[] = [];
type Load = (
  request: string,
  parent: { filename?: string } | undefined,
  isMain: boolean,
) => unknown;
const moduleWithLoad = Module as unknown as { _load: Load };
const originalLoad = moduleWithLoad._load;
beforeAll(() => {
  moduleWithLoad._load = function (request, parent, isMain) {
    if (request === 'electron') electronLoads.push(parent?.filename ?? '?');
    return originalLoad.call(this, request, parent, isMain);
  };
});
afterAll(() => {
  moduleWithLoad._load = originalLoad;
});

const keys = makeSigningKeys();
let root: string;
let feedDir: string;
let feed: UpdateFeed;
let installation: TestInstallation;
let installed: string;
let installedPayload: Buffer;
let updates: TestUpdates | undefined;

beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'updates-'));
  feedDir = path.join(root, 'feed');
  mkdirSync(feedDir);
  mkdirSync(path.join(root, 'installed'));
  installation = makeInstallation(root);
  installedPayload = randomPayload(2 * MiB);
  installed = path.join(root, 'installed', `App-${CURRENT}.AppImage`);
  await writeAppImage(installed, installedPayload);
  feed = await startUpdateFeed(feedDir);
});

afterEach(async () => {
  updates?.dispose();
  updates = undefined;
  await feed.close();
  rmSync(root, { recursive: true, force: true });
});

function start(options: Partial<Parameters<typeof createTestUpdates>[0]> = {}): TestUpdates {
  updates = createTestUpdates({
    installation,
    version: CURRENT,
    appImage: installed,
    environment: { UPDATE_FEED_URL: feed.url, UPDATE_PUBLIC_KEY: keys.publicKeyBase64 },
    ...options,
  });
  return updates;
}

/** Publishes an AppImage release and its latest-linux.yml; signed by the release key unless told. */
async function publish(
  version: string,
  payload: Buffer,
  options: { sign?: boolean; extra?: Record<string, unknown> } = {},
): Promise<ReleaseFile> {
  const file = await writeAppImage(path.join(feedDir, `App-${version}.AppImage`), payload);
  writeChannel(feedDir, CHANNEL, version, [file], options.extra);
  if (options.sign !== false) signFeed(feedDir, keys.privateKey);
  return file;
}

/** Rewrites the feed's yml after signing (an attacker with write access to the feed). */
function tamper(change: (info: Record<string, unknown>) => void): void {
  const file = path.join(feedDir, CHANNEL);
  const info = load(readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(info);
  writeFileSync(file, dump(info, { lineWidth: 8000, noRefs: true }));
}

function downloadedFile(version = NEXT): string {
  return path.join(installation.updaterCache, 'pending', `App-${version}.AppImage`);
}

describe('a feed with a newer signed version', () => {
  it('finds it, downloads it, checks the signed sha512: the file waiting to be installed is the release', async () => {
    const release = await publish(NEXT, randomPayload(2 * MiB));
    const { service } = start();
    const seen: string[] = [];
    service.onChange(({ state }) => seen.push(state.kind));

    const state = await service.check();

    expect(state).toEqual({ kind: 'ready', version: NEXT });
    expect(seen).toEqual(expect.arrayContaining(['checking', 'available', 'downloading', 'ready']));
    expect(sha512Of(downloadedFile())).toBe(release.sha512);
    expect(feed.requests.map((request) => request.path)).toContain(`/${CHANNEL}`);
    // The rollout id stays on this machine.
    for (const request of feed.requests)
      expect(request.headers['x-user-staging-id']).toBeUndefined();
  });

  it('the same version: Up to date, and nothing but the yml is requested', async () => {
    await publish(CURRENT, installedPayload);
    const { service } = start();

    const state = await service.check();

    expect(state).toMatchObject({ kind: 'up-to-date' });
    expect(feed.requests.length).toBeGreaterThan(0);
    expect(feed.downloads()).toEqual([]);
  });

  it('a download that does not match the signed sha512 is refused, and nothing is kept', async () => {
    await publish(NEXT, randomPayload(2 * MiB));
    // The binary on the feed is replaced after signing (same name, same size).
    await writeAppImage(path.join(feedDir, `App-${NEXT}.AppImage`), randomPayload(2 * MiB));
    const { service } = start();

    const state = await service.check();

    expect(state).toMatchObject({ kind: 'refused', reason: 'checksum', version: NEXT });
    expect(feed.downloads().length).toBeGreaterThan(0);
    expect(() => readFileSync(downloadedFile())).toThrow();
  });
});

describe('metadata the release key did not sign is never offered, and nothing is downloaded', () => {
  it('unsigned metadata', async () => {
    await publish(NEXT, randomPayload(MiB), { sign: false });
    const { service } = start();

    const state = await service.check();

    expect(state).toMatchObject({ kind: 'refused', reason: 'unsigned', version: NEXT });
    expect(feed.requests.map((request) => request.path)).toEqual([`/${CHANNEL}`]);
  });

  it.each([
    [
      'the version raised after signing',
      (info: Record<string, unknown>) => (info.version = '9.9.9'),
    ],
    [
      "the file swapped for another (url and sha512 of the attacker's file)",
      (info: Record<string, unknown>) => {
        const files = info.files as Array<Record<string, unknown>>;
        files[0]!.url = 'Evil.AppImage';
        files[0]!.sha512 = 'A'.repeat(86) + '==';
      },
    ],
    ['the legacy path changed', (info: Record<string, unknown>) => (info.path = 'Evil.AppImage')],
    [
      'a signed blockmap list changed',
      (info: Record<string, unknown>) => (info.blockMaps = { 'Evil.blockmap': 'x' }),
    ],
  ])('tampered: %s', async (_, change) => {
    await publish(NEXT, randomPayload(MiB));
    tamper(change);
    const { service } = start();

    const state = await service.check();

    expect(state).toMatchObject({ kind: 'refused', reason: 'bad-signature' });
    expect(feed.downloads()).toEqual([]);
  });

  it('signed with another key', async () => {
    await publish(NEXT, randomPayload(MiB), { sign: false });
    signFeed(feedDir, makeSigningKeys().privateKey);
    const { service } = start();

    expect(await service.check()).toMatchObject({ kind: 'refused', reason: 'bad-signature' });
    expect(feed.downloads()).toEqual([]);
  });

  it("another platform's signed metadata served under this platform's name", async () => {
    const release = await writeAppImage(
      path.join(feedDir, `App-${NEXT}.AppImage`),
      randomPayload(MiB),
    );
    writeChannel(feedDir, 'latest.yml', NEXT, [release]);
    signFeed(feedDir, keys.privateKey);
    writeFileSync(path.join(feedDir, CHANNEL), readFileSync(path.join(feedDir, 'latest.yml')));
    const { service } = start();

    expect(await service.check()).toMatchObject({ kind: 'refused', reason: 'bad-signature' });
    expect(feed.downloads()).toEqual([]);
  });
});

describe('versions and the staged rollout', () => {
  it('a downgrade (a signed older version) is not offered', async () => {
    await publish('0.9.0', randomPayload(MiB));
    const { service } = start();

    const state = await service.check();

    expect(state).toMatchObject({ kind: 'up-to-date', latest: '0.9.0', heldBack: 'older' });
    expect(feed.downloads()).toEqual([]);
  });

  it.each([
    [0, FIRST_IN_LINE, false],
    [0, LAST_IN_LINE, false],
    [100, FIRST_IN_LINE, true],
    [100, LAST_IN_LINE, true],
    [50, FIRST_IN_LINE, true],
    [50, LAST_IN_LINE, false],
  ])(
    'stagingPercentage %i with installation id %s: offered %s',
    async (stagingPercentage, id, offered) => {
      await publish(NEXT, randomPayload(MiB), { extra: { stagingPercentage } });
      pinInstallationId(installation, id);
      const { service } = start();

      const state = await service.check();

      if (offered) {
        expect(state).toMatchObject({ kind: 'ready', version: NEXT });
      } else {
        expect(state).toMatchObject({ kind: 'up-to-date', latest: NEXT, heldBack: 'staged' });
        expect(feed.downloads()).toEqual([]);
      }
      // The id was read, not replaced: the same installation gets the same answer next time.
      expect(readFileSync(path.join(installation.userData, '.updaterId'), 'utf8')).toBe(id);
    },
  );
});

describe('differential download', () => {
  it('a one-block change fetches a small fraction of the new AppImage, and the result is the release', async () => {
    const size = 8 * MiB;
    installedPayload = randomPayload(size);
    await writeAppImage(installed, installedPayload);
    const release = await publish(NEXT, changeBytes(installedPayload, Math.floor(size / 2)));
    const { service } = start();

    expect(await service.check()).toEqual({ kind: 'ready', version: NEXT });

    expect(sha512Of(downloadedFile())).toBe(release.sha512);
    const downloaded = feed.bytesServed((request) => request.path === `/App-${NEXT}.AppImage`);
    const ranged = feed.downloads().filter((request) => request.status === 206);
    expect(ranged.length).toBe(feed.downloads().length);
    // One changed block is one or two Rabin chunks (8–32 KiB each), plus the embedded blockmap.
    expect(downloaded).toBeGreaterThan(0);
    expect(downloaded).toBeLessThan(release.size * 0.02);
    console.log(
      `differential download: ${downloaded} of ${release.size} bytes (${((downloaded / release.size) * 100).toFixed(2)} %) in ${feed.downloads().length} requests`,
    );
  });

  describe('separate blockmaps (NSIS installers)', () => {
    async function publishInstallers(): Promise<{ release: ReleaseFile; oldPayload: Buffer }> {
      const oldPayload = randomPayload(4 * MiB);
      // The installed version's installer and blockmap stay in the feed (as a generic feed keeps them).
      await writeInstaller(path.join(feedDir, `App-Setup-${CURRENT}.exe`), oldPayload);
      // NSIS leaves a copy of its installer in the updater cache: the differential download's base.
      mkdirSync(installation.updaterCache, { recursive: true });
      writeFileSync(path.join(installation.updaterCache, 'installer.exe'), oldPayload);
      const release = await writeInstaller(
        path.join(feedDir, `App-Setup-${NEXT}.exe`),
        changeBytes(oldPayload, 2 * MiB),
      );
      writeChannel(feedDir, CHANNEL, NEXT, [release]);
      signFeed(feedDir, keys.privateKey);
      return { release, oldPayload };
    }

    const installerPath = `/App-Setup-${NEXT}.exe`;
    const pendingInstaller = () =>
      path.join(installation.updaterCache, 'pending', `App-Setup-${NEXT}.exe`);

    it('signed blockmaps: downloaded differentially', async () => {
      const { release } = await publishInstallers();
      const { service } = start({ install: 'nsis' });

      expect(await service.check()).toEqual({ kind: 'ready', version: NEXT });

      expect(sha512Of(pendingInstaller())).toBe(release.sha512);
      expect(feed.bytesServed((request) => request.path === installerPath)).toBeLessThan(
        release.size * 0.05,
      );
    });

    it('a tampered blockmap is refused: the full installer is downloaded instead, and checked', async () => {
      const { release } = await publishInstallers();
      // The feed's copy of the new blockmap is replaced after signing by a well-formed one that
      // describes other content of the same size: electron-updater would plan ranges from it.
      const decoy = path.join(root, `App-Setup-${NEXT}.exe`);
      await writeInstaller(decoy, randomPayload(release.size));
      copyFileSync(`${decoy}.blockmap`, path.join(feedDir, `App-Setup-${NEXT}.exe.blockmap`));
      const { service } = start({ install: 'nsis' });

      expect(await service.check()).toEqual({ kind: 'ready', version: NEXT });

      expect(sha512Of(pendingInstaller())).toBe(release.sha512);
      const installer = feed.requests.filter((request) => request.path === installerPath);
      expect(installer.map((request) => [request.status, request.range])).toEqual([
        [200, undefined],
      ]);
    });
  });
});

describe('the administrator and the installation decide whether the feed is asked at all', () => {
  it.each([
    ['the environment', { AUTO_UPDATE: 'false' }, {}, 'environment'],
    ['the organisation (app-config.json)', {}, { AUTO_UPDATE: 'false' }, 'managed'],
  ] as const)(
    'AUTO_UPDATE=false from %s: the feed sees zero requests',
    async (_, environment, managed, source) => {
      await publish(NEXT, randomPayload(MiB));
      const { service } = start({
        environment: {
          UPDATE_FEED_URL: feed.url,
          UPDATE_PUBLIC_KEY: keys.publicKeyBase64,
          ...environment,
        },
        managed,
      });

      service.start();
      const state = await service.check();
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(state).toEqual({ kind: 'off', source });
      expect(feed.requests).toEqual([]);
    },
  );

  it('no feed URL: "not set up", nothing requested', async () => {
    await publish(NEXT, randomPayload(MiB));
    const { service } = start({ environment: { UPDATE_PUBLIC_KEY: keys.publicKeyBase64 } });

    expect(await service.check()).toEqual({ kind: 'not-set-up', missing: 'UPDATE_FEED_URL' });
    expect(feed.requests).toEqual([]);
  });

  it('a feed but no key to check it with: "not set up", nothing requested', async () => {
    await publish(NEXT, randomPayload(MiB));
    const { service } = start({ environment: { UPDATE_FEED_URL: feed.url } });

    expect(await service.check()).toEqual({ kind: 'not-set-up', missing: 'UPDATE_PUBLIC_KEY' });
    expect(feed.requests).toEqual([]);
  });

  it('a .deb install: "Update with your package manager", nothing requested', async () => {
    await publish(NEXT, randomPayload(MiB));
    const { service } = start({ install: 'package-manager' });

    expect(await service.check()).toEqual({ kind: 'package-manager' });
    expect(feed.requests).toEqual([]);
  });
});

describe('restart to update', () => {
  it('waits while a sign-in is pending, says so, and restarts once it has ended', async () => {
    await publish(NEXT, randomPayload(MiB));
    let pending: PendingActivity | undefined = 'sign-in';
    const { service, installs } = start({ pending: () => pending });
    expect(await service.check()).toEqual({ kind: 'ready', version: NEXT });

    expect(service.restart()).toEqual({
      kind: 'waiting-to-restart',
      version: NEXT,
      waitingFor: 'sign-in',
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(installs()).toBe(0);
    pending = 'logout';
    await expect.poll(() => service.view().state).toMatchObject({ waitingFor: 'logout' });
    expect(installs()).toBe(0);

    pending = undefined;
    await expect.poll(installs).toBe(1);
    expect(service.view().state).toEqual({ kind: 'restarting', version: NEXT });
  });

  it('restarts at once when nothing is pending', async () => {
    await publish(NEXT, randomPayload(MiB));
    const { service, installs } = start();
    await service.check();

    expect(service.restart()).toEqual({ kind: 'restarting', version: NEXT });
    expect(installs()).toBe(1);
  });
});

describe('without Electron', () => {
  it('never loaded electron (no autoUpdater getter, no Electron adapter or executor)', () => {
    expect(electronLoads).toEqual([]);
  });
});
