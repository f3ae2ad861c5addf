/**
 * Where the Electron app reads its settings (N7 of the second security review): packaged, the
 * organisation's app-config.json wins over the environment and `<userData>/.env`, and
 * APP_USER_DATA_DIR cannot move the profile; in development the environment comes first.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCoreHost } from '../../src-main/core/host.ts';
import { JsonFileStore } from '../../src-main/core/node-storage.ts';
import { configSources, userDataOverride } from '../../src-main/electron/config-sources.ts';
import { envTransports } from '../support/transport.ts';

describe('configSources and userDataOverride', () => {
  const input = {
    userDataDir: '/home/u/.config/app',
    resourcesPath: '/opt/app/resources',
    cwd: '/home/u/project',
  };

  it('packaged: app-config.json beside the resources wins; .env only from the profile folder', () => {
    expect(configSources({ ...input, isPackaged: true })).toEqual({
      cwd: '/home/u/.config/app',
      managedConfigFile: path.join('/opt/app/resources', 'app-config.json'),
      managedConfigWins: true,
    });
  });

  it('development: the environment and the project’s .env come first, no managed file', () => {
    expect(configSources({ ...input, isPackaged: false })).toEqual({
      cwd: '/home/u/project',
      managedConfigWins: false,
    });
  });

  it('APP_USER_DATA_DIR moves the profile only in an unpackaged app', () => {
    const env = { APP_USER_DATA_DIR: 'profile-x' };
    expect(userDataOverride({ isPackaged: true, env })).toBeUndefined();
    expect(userDataOverride({ isPackaged: false, env })).toBe(path.resolve('profile-x'));
    expect(userDataOverride({ isPackaged: false, env: {} })).toBeUndefined();
  });
});

describe('a packaged app’s core host', () => {
  const managed = {
    AUTH0_DOMAIN: 'corp.eu.auth0.com',
    AUTH0_CLIENT_ID: 'corp-client',
    AUTH0_AUDIENCE: 'https://api.corp.example',
    API_SERVER_URL: 'https://api.corp.example',
  };

  async function hostWith(
    env: NodeJS.ProcessEnv,
    dotEnv: string,
    isPackaged: boolean,
    override: { managedConfigWins?: boolean } = {},
  ) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'packaged-config-'));
    writeFileSync(path.join(dir, 'app-config.json'), JSON.stringify(managed));
    writeFileSync(path.join(dir, '.env'), dotEnv);
    return startCoreHost({
      env,
      ...configSources({ isPackaged: true, userDataDir: dir, resourcesPath: dir, cwd: dir }),
      ...(isPackaged ? {} : override),
      settingsStore: new JsonFileStore(path.join(dir, 'settings.json')),
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
  }

  it('runs on the organisation’s provider and API whatever the environment and <userData>/.env say', async () => {
    const host = await hostWith(
      { AUTH0_DOMAIN: 'attacker.example.com', API_SERVER_URL: 'https://evil.example' },
      'AUTH0_CLIENT_ID=env-file-client\nAPI_SERVER_URL=https://evil-from-dotenv.example\nAUTH0_CALLBACK_PORTS=53682\n',
      true,
    );
    try {
      expect(host.config?.issuer.href).toBe('https://corp.eu.auth0.com/');
      expect(host.config?.apiServerUrl.href).toBe('https://api.corp.example/');
      expect(host.config?.clientId).toBe('corp-client');
      // What the organisation left unset, .env in the profile folder may still fill in.
      expect(host.config?.callbackPorts).toEqual([53682]);
    } finally {
      await host.close();
    }
  });

  it('without managedConfigWins (development order) the same environment would win: the switch is what protects', async () => {
    const host = await hostWith(
      {
        AUTH0_DOMAIN: 'attacker.example.com',
        AUTH0_CLIENT_ID: 'c',
        AUTH0_AUDIENCE: 'a',
        API_SERVER_URL: 'https://evil.example',
      },
      '',
      false,
      { managedConfigWins: false },
    );
    try {
      expect(host.config?.issuer.href).toBe('https://attacker.example.com/');
    } finally {
      await host.close();
    }
  });
});
