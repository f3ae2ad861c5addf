/**
 * Packaging, proven offline up to the binary: `npm run dist -- --dir --linux` on a fresh copy of the
 * project, with ELECTRON_OVERRIDE_DIST_PATH naming a stand-in Electron (an executable carrying the fuse
 * sentinel and Electron's default fuse wire, LICENSE, locales/, a default_app.asar). electron-builder
 * copies it, writes app.asar and flips the fuses; scripts/check-package.ts (the check CI runs on the
 * real installers) reads the result back with @electron/asar and @electron/fuses.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPackage,
  expectedAsarFiles,
  type PackageReport,
} from '../../scripts/check-package.ts';
import { securityNotesPath } from '../../src-main/electron/menu.ts';
import { freshProjectCopy, standInElectronDist } from '../support/stand-in-electron.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
// electron-builder targets Linux from any host, but the stand-in executable is a shell script.
const canRun = process.platform !== 'win32';

let work: string;
let project: string;
let appOutDir: string;
let output = '';
let report: PackageReport;

beforeAll(async () => {
  work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'package-')));
  project = path.join(work, 'project');
  if (!canRun) return;
  freshProjectCopy(PROJECT_ROOT, project);
  standInElectronDist(path.join(work, 'electron-dist'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ELECTRON_OVERRIDE_DIST_PATH: path.join(work, 'electron-dist'),
    // Nothing to download, nothing cached: electron-builder's caches point into the test's folder.
    ELECTRON_BUILDER_CACHE: path.join(work, 'builder-cache'),
    electron_config_cache: path.join(work, 'electron-cache'),
    ELECTRON_MIRROR: 'http://127.0.0.1:9/',
    CSC_IDENTITY_AUTO_DISCOVERY: 'false',
  };
  const run = spawn(
    process.execPath,
    [
      'scripts/dist.ts',
      '--dir',
      '--linux',
      '--x64',
      '--publish',
      'never',
      `--config.directories.output=${path.join(work, 'release')}`,
      '--config.afterPack=./test/support/write-desktop-entry.js',
    ],
    { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  run.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  run.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
  if (code !== 0) throw new Error(`npm run dist failed (${code}):\n${output}`);
  appOutDir = path.join(work, 'release', 'linux-unpacked');
  report = await checkPackage({
    projectRoot: project,
    appOutDir,
    platform: 'linux',
    desktopFile: path.join(work, 'release', 'electron-auth0-hello-world.desktop'),
    appImageDesktopFile: path.join(work, 'release', 'electron-auth0-hello-world.AppImage.desktop'),
  });
}, 240_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!canRun)('npm run dist -- --dir --linux, offline, on a stand-in Electron', () => {
  it('passes the package check', () => {
    expect(report.problems).toEqual([]);
  });

  it('app.asar holds the three builds and package.json, and nothing else', () => {
    expect(report.asarFiles).toEqual(expectedAsarFiles(project));
    expect(report.asarFiles).toContain('dist/main/main.js');
    expect(report.asarFiles).toContain('dist/preload/ipc-bridge.cjs');
    expect(report.asarFiles).toContain('dist/renderer/index.html');
    expect(report.asarFiles).toContain('package.json');
    expect(
      report.asarFiles.filter(
        (file) => !/^dist\/(main|preload|renderer)\/|^package\.json$/.test(file),
      ),
    ).toEqual([]);
    expect(report.asarFiles.filter((file) => file.endsWith('.map'))).toEqual([]);
  });

  it('the packaged package.json names the product, so the app is "Electron Auth0 Hello World" (About, menu, keychain prompt)', async () => {
    const { asarModule } = await import('../../scripts/builder-config.ts');
    const packaged = JSON.parse(
      asarModule()
        .extractFile(path.join(appOutDir, 'resources', 'app.asar'), 'package.json')
        .toString('utf8'),
    ) as { productName?: string; name: string };
    expect(packaged.productName).toBe('Electron Auth0 Hello World');
  });

  it('main handles --smoke-test, the NSIS uninstaller removes the scheme, the AppImage keeps the sandbox', () => {
    // All three are part of "passes the package check"; these say which problem each would be.
    const joined = report.problems.join('\n');
    expect(joined).not.toMatch(/--smoke-test|registry|no-sandbox|AppRun/);
    const appImageEntry = readFileSync(
      path.join(work, 'release', 'electron-auth0-hello-world.AppImage.desktop'),
      'utf8',
    );
    expect(appImageEntry).toMatch(/^Exec=AppRun %U$/m);
  });

  it('the fuses read back as electron-builder.yml sets them', () => {
    expect(report.fuses).toEqual({
      RunAsNode: 'DISABLE',
      EnableCookieEncryption: 'ENABLE',
      EnableNodeOptionsEnvironmentVariable: 'DISABLE',
      EnableNodeCliInspectArguments: 'DISABLE',
      EnableEmbeddedAsarIntegrityValidation: 'ENABLE',
      OnlyLoadAppFromAsar: 'ENABLE',
      LoadBrowserProcessSpecificV8Snapshot: 'DISABLE', // left at Electron's default
      GrantFileProtocolExtraPrivileges: 'DISABLE',
    });
  });

  it('is the Electron it was given, renamed, with its license and locales, without its default app', () => {
    expect(path.basename(report.executable)).toBe('electron-auth0-hello-world');
    expect(readFileSync(report.executable, 'utf8')).toContain('Stand-in for Electron');
    expect(existsSync(path.join(appOutDir, 'LICENSE.electron.txt'))).toBe(true);
    expect(existsSync(path.join(appOutDir, 'locales', 'en-US.pak'))).toBe(true);
    expect(existsSync(path.join(appOutDir, 'resources', 'default_app.asar'))).toBe(false);
  });

  it('the desktop entry is named after desktopName and starts this executable with its icon', () => {
    const entry = readFileSync(
      path.join(work, 'release', 'electron-auth0-hello-world.desktop'),
      'utf8',
    );
    expect(entry).toContain('Name=Electron Auth0 Hello World\n');
    expect(entry).toMatch(/^Exec="?\/opt\/.+\/electron-auth0-hello-world"? %U$/m);
    expect(entry).toContain('Icon=electron-auth0-hello-world\n');
    expect(entry).toContain('StartupWMClass=electron-auth0-hello-world\n');
    expect(entry).toContain('Categories=Development;\n');
  });

  it('ships SECURITY.md beside app.asar, where Help → Security Notes opens it in a packaged app', () => {
    const notes = securityNotesPath({
      isPackaged: true,
      resourcesPath: path.join(appOutDir, 'resources'),
      appPath: path.join(appOutDir, 'resources', 'app.asar'),
    });
    expect(notes).toBe(path.join(appOutDir, 'resources', 'SECURITY.md'));
    expect(readFileSync(notes, 'utf8')).toBe(
      readFileSync(path.join(project, 'SECURITY.md'), 'utf8'),
    );
  });

  it('the check fails on a package that carries what it should not', async () => {
    const tampered = await checkPackage({
      projectRoot: PROJECT_ROOT,
      appOutDir: path.join(work, 'nowhere'),
      platform: 'linux',
    });
    expect(tampered.problems.join('\n')).toMatch(/no app\.asar/);
    expect(tampered.problems.join('\n')).toMatch(/no executable/);
  });
});
