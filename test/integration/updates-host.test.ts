/**
 * Updates in the core host (issue 20): the contract's `updates:*` channels answered by the host the
 * Electron app and the preview run, the settings read from where the host reads its own (the
 * environment, the organisation's app-config.json), and the running session's pending sign-in,
 * sign-in code or logout holding a restart back. The feed on 127.0.0.1 (update-feed.ts) is the
 * witness of what was asked; the devstack and Chromium are the real provider and browser.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UpdateView } from '../../src-preload/contract.ts';
import { signFeed } from '../../scripts/update-sign.ts';
import { startCoreHost, type CoreHost, type CoreHostOptions } from '../../src-main/core/host.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import { channelFileFor } from '../../src-main/core/updates/update-platform.ts';
import { alice } from '../support/accounts.ts';
import { envFor } from '../support/core-harness.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';
import { signInWithBrowser } from '../support/system-browser.ts';
import { startUpdateFeed, type UpdateFeed } from '../support/update-feed.ts';
import {
  makeInstallation,
  testUpdatesPlatform,
  type TestPlatform,
} from '../support/update-harness.ts';
import {
  makeSigningKeys,
  randomPayload,
  writeAppImage,
  writeChannel,
} from '../support/update-release.ts';
import { makeDevstackCertificates } from '../../devstack/tls.ts';
import { nodeTransports } from '../../src-main/core/network/node-transport.ts';
import { startTestProxy } from '../support/proxy.ts';
import { envTransports } from '../support/transport.ts';

const stack = useIntegrationStack();
const keys = makeSigningKeys();
const CHANNEL = channelFileFor(process.platform, process.arch);
const MiB = 1024 * 1024;

let root: string;
let feedDir: string;
let feed: UpdateFeed;
let test: TestPlatform | undefined;
let host: CoreHost | undefined;
let opened: string[];
let events: UpdateView[];

beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'updates-host-'));
  feedDir = path.join(root, 'feed');
  mkdirSync(feedDir);
  mkdirSync(path.join(root, 'installed'));
  const installedFile = path.join(root, 'installed', 'App-1.0.0.AppImage');
  await writeAppImage(installedFile, randomPayload(MiB));
  const release = await writeAppImage(path.join(feedDir, 'App-1.1.0.AppImage'), randomPayload(MiB));
  writeChannel(feedDir, CHANNEL, '1.1.0', [release]);
  signFeed(feedDir, keys.privateKey);
  feed = await startUpdateFeed(feedDir);
  opened = [];
  events = [];
  test = testUpdatesPlatform({
    installation: makeInstallation(root),
    version: '1.0.0',
    appImage: installedFile,
    emit: (view) => void events.push(view),
  });
});

afterEach(async () => {
  await host?.close();
  host = undefined;
  test?.restore();
  await feed.close();
  rmSync(root, { recursive: true, force: true });
});

/** A host on the devstack as a tenant, with the test installation's updates platform. */
async function startHost(
  env: NodeJS.ProcessEnv,
  options: Partial<CoreHostOptions> = {},
): Promise<CoreHost> {
  const dir = path.join(root, 'host');
  mkdirSync(dir, { recursive: true });
  host = await startCoreHost({
    env: { ...envFor(stack.devstack), ...env },
    settingsStore: new JsonFileStore(path.join(dir, 'settings.json')),
    transportFor: envTransports,
    platform: {
      openExternal: async (url) => void opened.push(url),
      cipher: new KeyFileBesideDataCipher(path.join(dir, 'vault.json')),
      store: new JsonFileStore(path.join(dir, 'vault.json')),
      emit: () => {},
    },
    updates: { ...test!.platform, firstCheckAfterMs: 0 },
    ...options,
  });
  await host.restore();
  return host;
}

const feedEnv = () => ({ UPDATE_FEED_URL: feed.url, UPDATE_PUBLIC_KEY: keys.publicKeyBase64 });

async function updates(channel: 'updates:get' | 'updates:check' | 'updates:restart') {
  const answer = await host!.handle(channel, []);
  if (!('ok' in answer) || !answer.ok || !('updates' in answer))
    throw new Error(`${channel} failed`);
  return answer.updates;
}

describe('AUTO_UPDATE=false: the feed is never asked anything', () => {
  it('set in the environment: "Check for updates" and the automatic check send zero requests', async () => {
    await startHost({ ...feedEnv(), AUTO_UPDATE: 'false' });

    const answer = await updates('updates:check');
    // The automatic check was due at once (firstCheckAfterMs 0): give it time to be sent.
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(answer.state).toEqual({ kind: 'off', source: 'environment' });
    expect(answer.settings).toContainEqual({
      name: 'AUTO_UPDATE',
      value: 'false',
      source: 'environment',
    });
    expect(feed.requests).toEqual([]);
  });

  it("set in the organisation's app-config.json (packaged: it wins over the environment)", async () => {
    const managed = path.join(root, 'app-config.json');
    writeFileSync(managed, JSON.stringify({ AUTO_UPDATE: false, UPDATE_FEED_URL: feed.url }));
    await startHost(
      { ...feedEnv(), AUTO_UPDATE: 'true' },
      { managedConfigFile: managed, managedConfigWins: true },
    );

    const answer = await updates('updates:check');
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(answer.state).toEqual({ kind: 'off', source: 'managed' });
    expect(answer.settings).toEqual([
      { name: 'AUTO_UPDATE', value: 'false', source: 'managed' },
      { name: 'UPDATE_FEED_URL', value: feed.url, source: 'managed' },
    ]);
    expect(feed.requests).toEqual([]);
  });

  it('the witness works: with updates on, the same check asks the feed and gets the update', async () => {
    await startHost({ ...feedEnv(), AUTO_UPDATE: 'true' });

    await updates('updates:check');

    await expect.poll(async () => (await updates('updates:get')).state.kind).toBe('ready');
    expect(feed.requests.map((request) => request.path)).toContain(`/${CHANNEL}`);
    expect(events.map((view) => view.state.kind)).toEqual(
      expect.arrayContaining(['checking', 'available', 'downloading', 'ready']),
    );
  });
});

describe('Restart to update never interrupts a sign-in, a sign-in code or a logout', () => {
  it('waits for a pending sign-in, then for its sign-in code, and restarts once it is cancelled', async () => {
    await startHost(feedEnv());
    await updates('updates:check');
    await expect.poll(async () => (await updates('updates:get')).state.kind).toBe('ready');

    const login = host!.handle('auth:login', []);
    await expect.poll(() => opened.length).toBe(1);
    const waiting = await updates('updates:restart');

    expect(waiting.state).toEqual({
      kind: 'waiting-to-restart',
      version: '1.1.0',
      waitingFor: 'sign-in',
    });
    expect(test!.installs()).toBe(0);

    // "Try another way" → a sign-in code: still pending, and the notice says so.
    expect(await host!.handle('auth:use-way', ['code'])).toMatchObject({ ok: true });
    await expect
      .poll(async () => (await updates('updates:get')).state)
      .toMatchObject({ kind: 'waiting-to-restart', waitingFor: 'sign-in-code' });
    expect(test!.installs()).toBe(0);

    // The person gives up on signing in: nothing is pending any more, and the restart follows.
    await host!.handle('auth:cancel', []);
    expect(await login).toMatchObject({ ok: false });
    await expect.poll(() => test!.installs()).toBe(1);
    expect((await updates('updates:get')).state).toEqual({ kind: 'restarting', version: '1.1.0' });
  });

  it('waits for the sign-in to finish in the browser, then restarts', async () => {
    await startHost(feedEnv());
    await updates('updates:check');
    await expect.poll(async () => (await updates('updates:get')).state.kind).toBe('ready');
    const login = host!.handle('auth:login', []);
    await expect.poll(() => opened.length).toBe(1);

    expect((await updates('updates:restart')).state).toMatchObject({ waitingFor: 'sign-in' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(test!.installs()).toBe(0);

    await signInWithBrowser(stack.browser, opened[0]!, {
      username: alice.email,
      password: alice.password,
      mode: 'login',
    });
    expect(await login).toMatchObject({ ok: true, session: { status: 'signed-in' } });
    await expect.poll(() => test!.installs()).toBe(1);
  });

  it('waits for a logout whose provider page has not come back yet, then restarts', async () => {
    await startHost(feedEnv(), { session: { logoutTimeoutMs: 1500 } });
    const login = host!.handle('auth:login', []);
    await expect.poll(() => opened.length).toBe(1);
    await signInWithBrowser(stack.browser, opened[0]!, {
      username: alice.email,
      password: alice.password,
      mode: 'login',
    });
    expect(await login).toMatchObject({ ok: true });
    await updates('updates:check');
    await expect.poll(async () => (await updates('updates:get')).state.kind).toBe('ready');

    // The provider's logout page is opened (captured here, never visited): its return is awaited.
    expect(await host!.handle('auth:logout', [])).toMatchObject({ providerLogout: 'opened' });
    expect((await updates('updates:restart')).state).toMatchObject({ waitingFor: 'logout' });
    expect(test!.installs()).toBe(0);

    // The logout receiver gives up after logoutTimeoutMs: nothing is pending any more.
    await expect.poll(() => test!.installs(), { timeout: 5000 }).toBe(1);
  });
});

describe("the feed through the app's one transport (issue 18)", () => {
  it('PROXY set: the check and the download reach a feed only the company proxy can resolve, in CONNECT tunnels', async () => {
    const certs = await makeDevstackCertificates(['updates.corp.test']);
    const proxy = await startTestProxy({ hosts: { 'updates.corp.test': '127.0.0.1' } });
    const corpFeed = await startUpdateFeed(feedDir, {
      tls: { cert: certs.cert, key: certs.key, host: 'updates.corp.test' },
    });
    try {
      await startHost(
        {
          UPDATE_FEED_URL: corpFeed.url,
          UPDATE_PUBLIC_KEY: keys.publicKeyBase64,
          PROXY: proxy.url,
        },
        // The preview's transports, trusting the feed's throw-away CA as a company root.
        { transportFor: nodeTransports(process.env, { extraCaCertificates: [certs.caPem] }) },
      );

      await updates('updates:check');

      await expect.poll(async () => (await updates('updates:get')).state.kind).toBe('ready');
      expect(corpFeed.requests.map((request) => request.path)).toContain(`/${CHANNEL}`);
      expect(corpFeed.downloads().length).toBeGreaterThan(0);
      // Nothing but tunnels to the feed: no request line for a file, and no plain-http fallback.
      const port = new URL(corpFeed.url).port;
      expect(new Set(proxy.lines())).toEqual(new Set([`CONNECT updates.corp.test:${port}`]));
    } finally {
      await host?.close();
      host = undefined;
      await corpFeed.close();
      await proxy.close();
      await certs.dispose();
    }
  });
});
