/**
 * An organisation switches the built-in demo provider off with `"ALLOW_DEMO_PROVIDER": false` in its
 * app-config.json: the demo never starts, Settings does not offer it, Save refuses it, and with
 * nothing else configured the app says what to do.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_SWITCHED_OFF, startCoreHost } from '../../src-main/core/host.ts';
import { JsonFileStore } from '../../src-main/core/node-storage.ts';
import { readManagedPolicy, readManagedSettings } from '../../src-main/core/settings.ts';
import { envTransports } from '../support/transport.ts';

function managedFile(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'demo-policy-')), 'app-config.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

async function hostWith(file: string) {
  const dir = path.dirname(file);
  const demoStarts: unknown[] = [];
  const host = await startCoreHost({
    env: {},
    managedConfigFile: file,
    settingsStore: new JsonFileStore(path.join(dir, 'settings.json')),
    startDemo: async (...args) => {
      demoStarts.push(args);
      throw new Error('the demo provider must not start');
    },
    transportFor: envTransports,
    platform: {
      openExternal: async () => {},
      cipher: {
        isAvailable: async () => false,
        encrypt: () => Promise.reject(new Error('no')),
        decrypt: () => Promise.reject(new Error('no')),
      },
      store: new JsonFileStore(path.join(dir, 'session.json')),
      emit: () => {},
    },
  });
  return { host, demoStarts };
}

describe('ALLOW_DEMO_PROVIDER in app-config.json', () => {
  it('is read as the organisation’s policy, not as a setting; anything but true/false names it', () => {
    const file = managedFile({ ALLOW_DEMO_PROVIDER: false, AUTH0_DPOP: 'true' });
    expect(readManagedSettings(file)).toEqual({ AUTH0_DPOP: 'true' });
    expect(readManagedPolicy(file)).toEqual({ allowDemoProvider: false });
    expect(readManagedPolicy(managedFile({ ALLOW_DEMO_PROVIDER: 'TRUE' }))).toEqual({
      allowDemoProvider: true,
    });
    expect(readManagedPolicy(managedFile({}))).toEqual({ allowDemoProvider: true });
    expect(() => readManagedPolicy(managedFile({ ALLOW_DEMO_PROVIDER: 'no' }))).toThrow(
      /^ALLOW_DEMO_PROVIDER: /,
    );
  });

  it('false, and nothing else configured: the demo never starts, the app says what to do, Settings offers only the tenant, Save refuses the demo', async () => {
    const { host, demoStarts } = await hostWith(managedFile({ ALLOW_DEMO_PROVIDER: false }));
    try {
      expect(demoStarts).toEqual([]);
      expect(host.view()).toMatchObject({
        status: 'signed-out',
        error: { code: 'config_invalid', message: DEMO_SWITCHED_OFF },
        provider: { kind: 'none' },
      });
      expect(await host.handle('settings:get', [])).toMatchObject({
        ok: true,
        settings: { demoAllowed: false, form: { provider: 'tenant' } },
      });
      expect(await host.handle('settings:save', [{ provider: 'demo', values: {} }])).toEqual({
        ok: false,
        error: { code: 'config_invalid', message: DEMO_SWITCHED_OFF },
      });
      expect(await host.handle('auth:login', [])).toMatchObject({
        ok: false,
        error: { message: DEMO_SWITCHED_OFF },
      });
      expect(demoStarts).toEqual([]);
    } finally {
      await host.close();
    }
  });
});
