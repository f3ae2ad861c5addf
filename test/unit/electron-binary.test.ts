import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findElectronBinary, platformExecutableName } from '../electron/electron-binary.ts';

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
      reason: 'Electron binary not installed (node_modules/electron/dist missing; its download host is unreachable here) — Electron tests skipped',
    });
    if (!result.found) expect(result.reason).not.toContain('\n');
  });

  it('skips when path.txt names a file that is not in dist/', () => {
    const root = project({ 'node_modules/electron/path.txt': 'electron' });
    expect(findElectronBinary({ projectRoot: root, env: {}, platform: 'linux' }).found).toBe(false);
  });

  it('finds the executable path.txt names under node_modules/electron/dist', () => {
    const root = project({ 'node_modules/electron/path.txt': 'electron', 'node_modules/electron/dist/electron': '' });
    expect(findElectronBinary({ projectRoot: root, env: {}, platform: 'linux' })).toEqual({
      found: true,
      executablePath: path.join(root, 'node_modules', 'electron', 'dist', 'electron'),
    });
  });

  it('finds the macOS app bundle’s executable', () => {
    const name = 'Electron.app/Contents/MacOS/Electron';
    const root = project({ 'node_modules/electron/path.txt': name, [`node_modules/electron/dist/${name}`]: '' });
    const result = findElectronBinary({ projectRoot: root, env: {}, platform: 'darwin' });
    expect(result).toEqual({ found: true, executablePath: path.join(root, 'node_modules', 'electron', 'dist', name) });
  });

  it('prefers ELECTRON_OVERRIDE_DIST_PATH, with the platform’s name when there is no path.txt', () => {
    const root = project({ 'custom-dist/electron.exe': '' });
    const override = path.join(root, 'custom-dist');
    expect(findElectronBinary({ projectRoot: root, env: { ELECTRON_OVERRIDE_DIST_PATH: override }, platform: 'win32' })).toEqual({
      found: true,
      executablePath: path.join(override, 'electron.exe'),
    });
  });

  it('says so when ELECTRON_OVERRIDE_DIST_PATH points nowhere', () => {
    const root = project({ 'node_modules/electron/path.txt': 'electron', 'node_modules/electron/dist/electron': '' });
    const result = findElectronBinary({ projectRoot: root, env: { ELECTRON_OVERRIDE_DIST_PATH: path.join(root, 'nope') }, platform: 'linux' });
    expect(result.found).toBe(false);
    if (!result.found) expect(result.reason).toMatch(/ELECTRON_OVERRIDE_DIST_PATH.*Electron tests skipped$/);
  });

  it('is not fooled by a folder where the executable should be', () => {
    const root = project({ 'node_modules/electron/path.txt': 'electron', 'node_modules/electron/dist/electron/keep': '' });
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
