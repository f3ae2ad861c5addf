/**
 * Run as a child process by test/integration/env-proxy.test.ts, with NODE_USE_ENV_PROXY=1 and the
 * proxy variables naming a trap: starts the core host on the loopback provider in its environment,
 * then makes each kind of request the app makes (openid-client discovery at Log In, Check
 * connection's fetches, the API through axios) and prints what came back as one JSON line.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCoreHost } from '../../src-main/core/host.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import { envTransports } from './transport.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'proxied-host-'));
const opened: string[] = [];
const host = await startCoreHost({
  env: process.env,
  settingsStore: new JsonFileStore(path.join(dir, 'settings.json')),
  transportFor: envTransports,
  platform: {
    openExternal: async (url) => void opened.push(url),
    cipher: new KeyFileBesideDataCipher(dir),
    store: new JsonFileStore(path.join(dir, 'session.json')),
    emit: () => {},
  },
});
const login = host.handle('auth:login', []);
for (let i = 0; i < 200 && opened.length === 0; i++)
  await new Promise((resolve) => setTimeout(resolve, 50));
await host.handle('auth:cancel', []);
await login;
const check = (await host.handle('settings:check', [{ provider: 'tenant', values: {} }])) as {
  ok: boolean;
  checks?: Array<{ name: string; passed: boolean; detail: string }>;
};
const message = await host.handle('messages:get', ['public']);
await host.close();
console.log(
  JSON.stringify({
    loginOpened: opened.some((url) => url.startsWith(`${process.env.AUTH0_DOMAIN}/`)),
    check,
    message,
  }),
);
