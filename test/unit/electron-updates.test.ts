/**
 * The Electron edge of updates (src-main/electron/updates.ts) with a stand-in for Electron's `app`
 * that follows electron.d.ts (getVersion, getName, isPackaged, getPath('userData'), quit,
 * relaunch, once('quit', (event, exitCode))). What it decides before any request: where the
 * settings come from in a packaged app, and what kind of installation this is.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createHostUpdates } from '../../src-main/core/updates/updates.ts';
import { configSources } from '../../src-main/electron/config-sources.ts';
import {
  createElectronUpdates,
  UPDATER_CACHE_DIR_NAME,
  type UpdaterElectronApp,
} from '../../src-main/electron/updates.ts';

const key = generateKeyPairSync('ed25519')
  .publicKey.export({ type: 'spki', format: 'der' })
  .toString('base64');
const silent = { info() {}, warn() {}, error() {} };
const made: string[] = [];
const tmp = (prefix: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function fakeApp(packaged: boolean): UpdaterElectronApp {
  const userData = tmp('electron-updates-');
  return {
    isPackaged: packaged,
    getVersion: () => '1.0.0',
    getName: () => 'Electron Auth0 Hello World',
    getPath: ((name: string) => {
      if (name !== 'userData') throw new Error(`unexpected getPath(${name})`);
      return userData;
    }) as UpdaterElectronApp['getPath'],
    quit: () => {},
    relaunch: () => {},
    once: (() => undefined) as unknown as UpdaterElectronApp['once'],
  };
}

function resources(files: Record<string, string> = {}): string {
  const dir = tmp('electron-resources-');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const start = (
  app: UpdaterElectronApp,
  env: NodeJS.ProcessEnv,
  files: Record<string, string> = {},
  buildPublicKey: string | null = key,
) => {
  const dir = resources(files);
  const updates = createHostUpdates({
    platform: createElectronUpdates({
      app,
      resourcesPath: dir,
      env,
      ...(buildPublicKey ? { buildPublicKey } : {}),
      emit: () => {},
      log: silent,
    }),
    env,
    ...configSources({
      isPackaged: app.isPackaged,
      userDataDir: app.getPath('userData'),
      resourcesPath: dir,
      cwd: dir,
    }),
    pendingActivity: () => undefined,
    // Nothing here sends a request (the checks are never due): a fetch that says so if one does.
    fetch: () => Promise.reject(new Error('no request expected')),
    log: silent,
  });
  updates.close();
  return updates.view().state;
};

describe('the Electron edge of updates', () => {
  it('an unpackaged (development) run has nothing to update', () => {
    expect(
      start(fakeApp(false), { UPDATE_FEED_URL: 'https://updates.example.com/', APPIMAGE: '/a' }),
    ).toEqual({ kind: 'not-installed' });
  });

  it.runIf(process.platform === 'linux')(
    'a packaged Linux app that is not an AppImage (.deb) is its package manager’s',
    () => {
      expect(start(fakeApp(true), { UPDATE_FEED_URL: 'https://updates.example.com/' })).toEqual({
        kind: 'package-manager',
      });
    },
  );

  it.runIf(process.platform === 'linux')(
    "a packaged AppImage takes the feed from electron-builder's app-update.yml and the build's key",
    () => {
      expect(
        start(
          fakeApp(true),
          { APPIMAGE: '/opt/App.AppImage' },
          { 'app-update.yml': 'provider: generic\nurl: https://updates.example.com/app\n' },
        ),
      ).toEqual({ kind: 'idle' });
      expect(
        start(
          fakeApp(true),
          { APPIMAGE: '/opt/App.AppImage' },
          { 'app-update.yml': 'provider: generic\nurl: https://updates.example.com/app\n' },
          null,
        ),
      ).toEqual({ kind: 'not-set-up', missing: 'UPDATE_PUBLIC_KEY' });
    },
  );

  it("in a packaged app the organisation's app-config.json outranks the environment", () => {
    expect(
      start(
        fakeApp(true),
        { AUTO_UPDATE: 'true', UPDATE_FEED_URL: 'https://updates.example.com/' },
        { 'app-config.json': JSON.stringify({ AUTO_UPDATE: false }) },
      ),
    ).toEqual({ kind: 'off', source: 'managed' });
  });

  it('a broken app-config.json turns updates off with its message', () => {
    expect(start(fakeApp(true), {}, { 'app-config.json': '{' })).toMatchObject({
      kind: 'misconfigured',
      message: expect.stringContaining('app-config.json: is not JSON.'),
    });
  });

  it("names the download cache as electron-builder does (package.json's name + -updater)", () => {
    const pkg = JSON.parse(
      readFileSync(path.join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
    ) as { name: string };
    expect(UPDATER_CACHE_DIR_NAME).toBe(`${pkg.name.toLowerCase()}-updater`);
  });
});
