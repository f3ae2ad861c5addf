import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildsForHost, configFileArgument, configuredArches } from '../../scripts/dist.ts';
import { loadEffectiveBuilderConfig } from '../../scripts/builder-config.ts';
import {
  downloadHost,
  downloadTimeoutMs,
  ensureElectronBinary,
  findElectronBinary,
  platformExecutableName,
  shortInstallerError,
} from '../../scripts/electron-binary.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const dirs: string[] = [];

function project(files: Record<string, string> = {}): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'electron-binary-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'node_modules', 'electron'), { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('findElectronBinary', () => {
  it('skips with one line when the package was installed without its binary', () => {
    const result = findElectronBinary({ projectRoot: project(), env: {}, platform: 'linux' });
    expect(result).toEqual({
      found: false,
      reason:
        'Electron binary not installed (node_modules/electron/dist missing; `npx install-electron --no` downloads it)',
    });
    if (!result.found) expect(result.reason).not.toContain('\n');
  });

  it('skips when path.txt names a file that is not in dist/', () => {
    const root = project({ 'node_modules/electron/path.txt': 'electron' });
    expect(findElectronBinary({ projectRoot: root, env: {}, platform: 'linux' }).found).toBe(false);
  });

  it('finds the executable path.txt names under node_modules/electron/dist', () => {
    const root = project({
      'node_modules/electron/path.txt': 'electron',
      'node_modules/electron/dist/electron': '',
    });
    expect(findElectronBinary({ projectRoot: root, env: {}, platform: 'linux' })).toEqual({
      found: true,
      executablePath: path.join(root, 'node_modules', 'electron', 'dist', 'electron'),
    });
  });

  it('finds the macOS app bundle’s executable', () => {
    const name = 'Electron.app/Contents/MacOS/Electron';
    const root = project({
      'node_modules/electron/path.txt': name,
      [`node_modules/electron/dist/${name}`]: '',
    });
    const result = findElectronBinary({ projectRoot: root, env: {}, platform: 'darwin' });
    expect(result).toEqual({
      found: true,
      executablePath: path.join(root, 'node_modules', 'electron', 'dist', name),
    });
  });

  it('prefers ELECTRON_OVERRIDE_DIST_PATH, with the platform’s name when there is no path.txt', () => {
    const root = project({ 'custom-dist/electron.exe': '' });
    const override = path.join(root, 'custom-dist');
    expect(
      findElectronBinary({
        projectRoot: root,
        env: { ELECTRON_OVERRIDE_DIST_PATH: override },
        platform: 'win32',
      }),
    ).toEqual({
      found: true,
      executablePath: path.join(override, 'electron.exe'),
    });
  });

  it('says so when ELECTRON_OVERRIDE_DIST_PATH points nowhere', () => {
    const root = project({
      'node_modules/electron/path.txt': 'electron',
      'node_modules/electron/dist/electron': '',
    });
    const result = findElectronBinary({
      projectRoot: root,
      env: { ELECTRON_OVERRIDE_DIST_PATH: path.join(root, 'nope') },
      platform: 'linux',
    });
    expect(result.found).toBe(false);
    if (!result.found) expect(result.reason).toMatch(/ELECTRON_OVERRIDE_DIST_PATH\)$/);
  });

  it('is not fooled by a folder where the executable should be', () => {
    const root = project({
      'node_modules/electron/path.txt': 'electron',
      'node_modules/electron/dist/electron/keep': '',
    });
    expect(findElectronBinary({ projectRoot: root, env: {}, platform: 'linux' }).found).toBe(false);
  });
});

describe('platformExecutableName', () => {
  it('matches what electron/install.js writes to path.txt', () => {
    expect(platformExecutableName('linux')).toBe('electron');
    expect(platformExecutableName('win32')).toBe('electron.exe');
    expect(platformExecutableName('darwin')).toBe('Electron.app/Contents/MacOS/Electron');
  });
});

describe('the download, in one line', () => {
  it('keeps the installer’s error line and drops its stack', () => {
    const stack = [
      'TypeError: fetch failed',
      '    at node:internal/deps/undici/undici:15270:13',
      '    at async FetchDownloader.download (file:///x/node_modules/@electron/get/dist/FetchDownloader.js:46:30)',
    ].join('\n');
    expect(shortInstallerError(`Downloading Electron binary...\n${stack}\n`)).toBe(
      'TypeError: fetch failed',
    );
    expect(
      shortInstallerError(
        'HTTPError: Response code 404 (Not Found) for https://example.com/v1/x.zip\n    at y',
      ),
    ).toBe('HTTPError: Response code 404 (Not Found) for https://example.com/v1/x.zip');
    expect(shortInstallerError('')).toBe('no output');
    expect(shortInstallerError(`Error: ${'x'.repeat(500)}`)).toHaveLength(240);
  });

  it('names the host it downloads from: the mirror setting Electron reads, else GitHub', () => {
    expect(downloadHost({})).toBe('github.com');
    expect(downloadHost({ ELECTRON_MIRROR: 'https://npmmirror.com/mirrors/electron/' })).toBe(
      'npmmirror.com',
    );
    expect(
      downloadHost({
        ELECTRON_MIRROR: 'https://a.example/',
        npm_config_electron_mirror: 'https://b.example/',
      }),
    ).toBe('b.example');
  });

  it('waits ELECTRON_DOWNLOAD_TIMEOUT seconds, 300 unless set to a positive number', () => {
    expect(downloadTimeoutMs({})).toBe(300_000);
    expect(downloadTimeoutMs({ ELECTRON_DOWNLOAD_TIMEOUT: '2.5' })).toBe(2_500);
    expect(downloadTimeoutMs({ ELECTRON_DOWNLOAD_TIMEOUT: '0' })).toBe(300_000);
    expect(downloadTimeoutMs({ ELECTRON_DOWNLOAD_TIMEOUT: 'soon' })).toBe(300_000);
  });

  it('downloads nothing when ELECTRON_OVERRIDE_DIST_PATH names the build to use', async () => {
    const root = project({ 'node_modules/electron/install.js': 'throw new Error("must not run")' });
    const lines: string[] = [];
    const result = await ensureElectronBinary({
      projectRoot: root,
      env: { ELECTRON_OVERRIDE_DIST_PATH: path.join(root, 'nope') },
      log: (line) => lines.push(line),
    });
    expect(result.found).toBe(false);
    expect(lines).toEqual([]);
  });
});

describe('npm run dist packages the Electron on disk only when it builds for this machine', () => {
  it('decides from electron-builder’s platform and architecture flags', () => {
    expect(buildsForHost([], 'linux', 'x64')).toBe(true);
    expect(buildsForHost(['--linux', '--x64', '--publish', 'never'], 'linux', 'x64')).toBe(true);
    expect(buildsForHost(['--win'], 'linux', 'x64')).toBe(false);
    expect(buildsForHost(['-m'], 'darwin', 'arm64')).toBe(true);
    expect(buildsForHost(['--arm64'], 'linux', 'x64')).toBe(false);
    expect(buildsForHost(['-c.electronDist=/opt/electron'], 'linux', 'x64')).toBe(false);
  });

  it('on a Mac, the configured arm64 + x64 DMGs need two Electrons: electron-builder fetches them', async () => {
    const config = await loadEffectiveBuilderConfig(PROJECT_ROOT, null);
    const mac = configuredArches(config, 'darwin');
    expect(mac).toEqual(['arm64', 'x64']);
    expect(buildsForHost([], 'darwin', 'arm64', mac)).toBe(false);
    expect(buildsForHost(['--arm64'], 'darwin', 'arm64', mac)).toBe(true); // the flag narrows it
    // Linux and Windows targets name no architecture: this machine's, from node_modules/electron.
    expect(configuredArches(config, 'linux')).toEqual([]);
    expect(buildsForHost([], 'linux', 'x64', configuredArches(config, 'linux'))).toBe(true);
    const unsigned = await loadEffectiveBuilderConfig(
      PROJECT_ROOT,
      configFileArgument(['--publish', 'never', '-c', 'electron-builder.unsigned.yml']),
    );
    expect(configuredArches(unsigned, 'darwin')).toEqual(['arm64', 'x64']);
  });
});
