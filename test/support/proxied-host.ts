/**
 * Run as a child process by test/integration/env-proxy.test.ts, with NODE_USE_ENV_PROXY=1 and the
 * proxy variables naming a trap: starts the core host on the loopback provider in its environment
 * (or, without AUTH0_DOMAIN, the built-in demo provider), then runs a whole session with every kind
 * of request the app makes (discovery, the code exchange, the API through axios, Check connection's
 * requests, revocation at Log Out) and prints what came back as one JSON line.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCoreHost } from '../../src-main/core/host.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import { alice } from './accounts.ts';
import { launchSystemBrowser, signInWithBrowser } from './system-browser.ts';
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
// A whole session: the browser signs alice in (Chromium itself told to use no proxy: the trap is for
// the app's requests), then the messages, Check connection and Log Out.
const browser = await launchSystemBrowser({ args: ['--no-proxy-server'] });
let signedIn: boolean;
try {
  if (opened[0])
    await signInWithBrowser(browser, opened[0], {
      username: alice.email,
      password: alice.password,
    });
  signedIn = ((await login) as { ok: boolean }).ok;
} finally {
  await browser.close();
}
const protectedMessage = await host.handle('messages:get', ['protected']);
const demo = host.view().provider?.kind === 'demo';
const check = (await host.handle('settings:check', [
  { provider: demo ? 'demo' : 'tenant', values: {} },
])) as {
  ok: boolean;
  checks?: Array<{ name: string; passed: boolean; detail: string; route?: string }>;
};
const message = await host.handle('messages:get', ['public']);
const logout = await host.handle('auth:logout', []);
const issuer = host.config?.issuer.href.replace(/\/$/, '');
await host.close();
console.log(
  JSON.stringify({
    loginOpened: opened.some((url) => url.startsWith(`${issuer}/`)),
    demo,
    signedIn,
    protectedMessage,
    check,
    message,
    logout,
  }),
);
