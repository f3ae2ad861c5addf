/**
 * The preload's bridge, from its source, with `electron` replaced by a factory mock (the real module
 * is never loaded: outside Electron it would try to download the binary).
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { SessionView, UpdateView } from '../../src-preload/contract.ts';
import { bridgeMethods } from '../../src-preload/contract.ts';

const exposed = vi.hoisted(() => new Map<string, unknown>());

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: async () => undefined,
    on: () => undefined,
    removeListener: () => undefined,
  },
}));

const { createIpcBridge } = await import('../../src-preload/ipc-bridge.ts');

class FakeIpcRenderer extends EventEmitter {
  invoke = vi.fn(async (..._args: unknown[]) => ({ ok: true }));
}

describe('the IPC bridge', () => {
  it('is exposed as window.auth when the preload runs', () => {
    expect(Object.keys(exposed.get('auth') as object).sort()).toEqual(
      [
        ...Object.keys(bridgeMethods),
        'onOpenSettings',
        'onSessionChanged',
        'onUpdatesChanged',
      ].sort(),
    );
  });

  it('invokes each method’s channel from the contract with the caller’s arguments', async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createIpcBridge(ipc as never);
    await bridge.getSession();
    await bridge.login();
    await bridge.signup();
    await bridge.cancel();
    await bridge.logout();
    await bridge.getMessage('protected');
    await bridge.getUpdates();
    await bridge.checkForUpdates();
    await bridge.restartToUpdate();
    expect(ipc.invoke.mock.calls).toEqual([
      ['session:get'],
      ['auth:login'],
      ['auth:signup'],
      ['auth:cancel'],
      ['auth:logout'],
      ['messages:get', 'protected'],
      ['updates:get'],
      ['updates:check'],
      ['updates:restart'],
    ]);
  });

  it('gives session listeners the session, never the IpcRendererEvent, until they unsubscribe', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createIpcBridge(ipc as never);
    const listener = vi.fn();
    const unsubscribe = bridge.onSessionChanged(listener);
    const view: SessionView = {
      status: 'signed-in',
      persistence: 'encrypted',
      profile: { sub: 'auth0|alice' },
      accounts: [{ sub: 'auth0|alice', name: 'auth0|alice', active: true }],
    };
    ipc.emit('session:changed', { sender: 'ipc event', ports: [] }, view);
    expect(listener).toHaveBeenCalledWith(view);
    expect(listener.mock.calls[0]).toHaveLength(1);
    unsubscribe();
    ipc.emit('session:changed', {}, view);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(ipc.listenerCount('session:changed')).toBe(0);
  });

  it('calls Settings listeners with nothing on app:open-settings (the menu’s Settings…), until they unsubscribe', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createIpcBridge(ipc as never);
    const listener = vi.fn();
    const unsubscribe = bridge.onOpenSettings(listener);
    ipc.emit('app:open-settings', { sender: 'ipc event', ports: [] }, null);
    expect(listener.mock.calls).toEqual([[]]);
    // A session change is not a Settings command.
    ipc.emit('session:changed', {}, { status: 'signed-out', persistence: 'encrypted' });
    expect(listener).toHaveBeenCalledTimes(1);
    unsubscribe();
    ipc.emit('app:open-settings', {}, null);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(ipc.listenerCount('app:open-settings')).toBe(0);
  });

  it('gives update listeners the update view (never the IpcRendererEvent), until they unsubscribe', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createIpcBridge(ipc as never);
    const listener = vi.fn();
    const unsubscribe = bridge.onUpdatesChanged(listener);
    const view: UpdateView = {
      revision: 3,
      currentVersion: '1.0.0',
      state: { kind: 'downloading', version: '1.1.0', percent: 42, transferred: 42, total: 100 },
      settings: [],
    };
    ipc.emit('updates:changed', { sender: 'ipc event', ports: [] }, view);
    expect(listener.mock.calls).toEqual([[view]]);
    unsubscribe();
    ipc.emit('updates:changed', {}, view);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(ipc.listenerCount('updates:changed')).toBe(0);
  });
});

describe('what the preload bundles', () => {
  const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm;
  /** Module specifiers of every static or dynamic import (and require) in a source file, once each. */
  function importsOf(file: string): string[] {
    const source = readFileSync(new URL(`../../src-preload/${file}`, import.meta.url), 'utf8');
    return [...new Set([...source.matchAll(IMPORT)].map((match) => match[1] ?? ''))];
  }

  it('is the bridge and the dependency-free contract: no validator library in the sandboxed renderer', () => {
    // Validation belongs in main (contract-validators.ts); zod made this bundle 109 kB instead of 1.5 kB.
    expect(importsOf('ipc-bridge.ts').sort()).toEqual(['./contract.ts', 'electron']);
    expect(importsOf('contract.ts')).toEqual([]);
    expect(importsOf('contract-validators.ts')).toContain('zod');
  });
});
