/**
 * MAX_ACCOUNTS (issue 19): how many accounts may be signed in at once, default 5, 1 for an
 * organisation that wants one; read like every setting from the environment, an organisation's
 * app-config.json and the Settings page, through the one parser, whose message names it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ACCOUNTS, parseConfig, validateSettings } from '../../src-main/core/config.ts';
import { readManagedSettings, resolveSettings } from '../../src-main/core/settings.ts';

const tenant = {
  AUTH0_DOMAIN: 'dev-x.us.auth0.com',
  AUTH0_CLIENT_ID: 'native-client',
  AUTH0_AUDIENCE: 'https://hello-world.example.com',
  API_SERVER_URL: 'http://127.0.0.1:6060',
};

describe('MAX_ACCOUNTS', () => {
  it('is 5 when unset, and takes a whole number from 1 to 20', () => {
    expect(DEFAULT_MAX_ACCOUNTS).toBe(5);
    expect(parseConfig(tenant).maxAccounts).toBe(5);
    expect(parseConfig({ ...tenant, MAX_ACCOUNTS: '1' }).maxAccounts).toBe(1);
    expect(parseConfig({ ...tenant, MAX_ACCOUNTS: ' 20 ' }).maxAccounts).toBe(20);
  });

  it.each(['0', '21', '2.5', '-1', 'five'])('refuses %j, naming the setting', (value) => {
    expect(() => parseConfig({ ...tenant, MAX_ACCOUNTS: value })).toThrow(
      `MAX_ACCOUNTS: "${value}" is not a whole number from 1 to 20.`,
    );
    const onPage = validateSettings({ ...tenant, MAX_ACCOUNTS: value }, 'labels');
    expect(onPage.ok ? undefined : onPage.errors.MAX_ACCOUNTS).toBe(
      `Maximum accounts: "${value}" is not a whole number from 1 to 20.`,
    );
  });

  it('comes from app-config.json as from the environment, and is locked there', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'max-accounts-'));
    const file = path.join(dir, 'app-config.json');
    writeFileSync(file, JSON.stringify({ ...tenant, MAX_ACCOUNTS: '1' }));
    const managed = readManagedSettings(file);
    expect(managed.MAX_ACCOUNTS).toBe('1');
    const resolved = resolveSettings({ environment: {}, managed, saved: undefined });
    expect(resolved.sources.MAX_ACCOUNTS).toBe('managed');
    expect(parseConfig(resolved.settings).maxAccounts).toBe(1);
    const fromEnvironment = resolveSettings({
      environment: { ...tenant, MAX_ACCOUNTS: '2' },
      managed: {},
      saved: undefined,
    });
    expect(parseConfig(fromEnvironment.settings).maxAccounts).toBe(2);
  });
});
