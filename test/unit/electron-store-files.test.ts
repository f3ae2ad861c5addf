/**
 * The electron-store files in the profile (the encrypted vault and the saved settings in
 * session.json / settings.json, the window's place in window-state.json) are written owner-only,
 * also when an older file was world-readable. electron-store runs for real here; only `electron`
 * is a fake of its documented main-process API (app.getPath, app.getVersion, ipcMain.on).
 */
import { chmodSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as NodeFs from 'node:fs';
import type * as NodeOs from 'node:os';
import type * as NodePath from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const profile = vi.hoisted(() => {
  const fs = process.getBuiltinModule('node:fs') as typeof NodeFs;
  const osModule = process.getBuiltinModule('node:os') as typeof NodeOs;
  const pathModule = process.getBuiltinModule('node:path') as typeof NodePath;
  return fs.mkdtempSync(pathModule.join(osModule.tmpdir(), 'store-files-'));
});

vi.mock('electron', () => {
  const module = {
    app: { getPath: () => profile, getVersion: () => '0.1.0' },
    ipcMain: { on: () => {} },
    shell: { openPath: async () => '' },
  };
  return { ...module, default: module };
});

const { openSessionStore } = await import('../../src-main/electron/session-store.ts');
const { openWindowStateStore } = await import('../../src-main/electron/window-state-store.ts');

const mode = (file: string) => statSync(path.join(profile, file)).mode & 0o777;

describe.skipIf(process.platform === 'win32')('electron-store files in the profile', () => {
  it('session.json, settings.json and window-state.json are created owner-only (0600)', () => {
    openSessionStore().set('vault.v1', 'ciphertext');
    openSessionStore('settings').set('settings', { version: 1 });
    openWindowStateStore({ info() {}, warn() {}, error() {} }).save({
      bounds: { x: 1, y: 2, width: 800, height: 600 },
      maximized: false,
    });
    expect(
      readdirSync(profile)
        .filter((name) => name.endsWith('.json'))
        .sort(),
    ).toEqual(['session.json', 'settings.json', 'window-state.json']);
    expect(mode('session.json')).toBe(0o600);
    expect(mode('settings.json')).toBe(0o600);
    expect(mode('window-state.json')).toBe(0o600);
  });

  it('an older world-readable file becomes owner-only at its next write', () => {
    writeFileSync(path.join(profile, 'settings.json'), '{}');
    chmodSync(path.join(profile, 'settings.json'), 0o644);
    openSessionStore('settings').set('settings', { version: 1 });
    expect(mode('settings.json')).toBe(0o600);
  });
});
