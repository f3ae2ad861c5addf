/**
 * Issue 18's Electron journey: the app at a company whose provider and API (the devstack over HTTPS
 * as idp.corp.test / api.corp.test) answer only through the company proxy, set with PROXY. Every
 * request of the main process goes through Chromium's network stack (`net.fetch`, the session's
 * `setProxy` and `resolveProxy`): Check connection says "via proxy" for each line, and Log In,
 * Protected, Admin and Log Out work through the proxy, whose log holds CONNECT lines only and none
 * of the app's credentials. The same journey runs through the preview in test/e2e/network.spec.ts.
 *
 * The company's inspecting root lives in the OS store there; here the test trusts the devstack's
 * throw-away CA for its two names only, in the app's sessions (setCertificateVerifyProc), as the OS
 * store would. Skips with one line where no Electron binary is installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test as base } from '@playwright/test';
import type { Browser } from 'playwright-core';
import { startDevstack, type Devstack } from '../../devstack/index.ts';
import { alice } from '../support/accounts.ts';
import { envFor } from '../support/core-harness.ts';
import { startTestProxy, type TestProxy } from '../support/proxy.ts';
import { launchSystemBrowser, signInWithBrowser } from '../support/system-browser.ts';
import { binary, launchDesktop, type DesktopApp } from './desktop-app.ts';

base.skip(!binary.found, binary.found ? '' : binary.reason);

const HOSTS = { 'idp.corp.test': '127.0.0.1', 'api.corp.test': '127.0.0.1' };

let devstack: Devstack;
let proxy: TestProxy;
let browserProxy: TestProxy;
let browser: Browser;

base.beforeAll(async () => {
  if (!binary.found) return;
  devstack = await startDevstack({
    quiet: true,
    tls: { idpHost: 'idp.corp.test', apiHost: 'api.corp.test' },
  });
  proxy = await startTestProxy({ hosts: HOSTS });
  browserProxy = await startTestProxy({ hosts: HOSTS });
  // The person's browser goes through the company proxy too (its own settings).
  browser = await launchSystemBrowser({
    args: [
      `--proxy-server=${browserProxy.url}`,
      `--ignore-certificate-errors-spki-list=${devstack.tls!.spkiHash}`,
    ],
  });
});

base.afterAll(async () => {
  await browser?.close();
  await browserProxy?.close();
  await proxy?.close();
  await devstack?.close();
});

const test = base.extend<{ desktop: DesktopApp }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  desktop: async ({}, use) => {
    const profile = mkdtempSync(path.join(os.tmpdir(), 'electron-network-'));
    const desktop = await launchDesktop(profile, {
      env: { ...(envFor(devstack) as Record<string, string>), PROXY: proxy.url },
    });
    // The company root, as the OS store would hold it: the devstack's CA, for its two names only.
    await desktop.app.evaluate(({ session }, names) => {
      for (const each of [session.defaultSession, session.fromPartition('network-check')])
        each.setCertificateVerifyProc((request, callback) => {
          const ours =
            names.includes(request.hostname) &&
            request.certificate.issuerName.startsWith('Devstack throw-away CA');
          callback(ours ? 0 : -3);
        });
    }, Object.keys(HOSTS));
    await use(desktop);
    await desktop.app.close();
    rmSync(profile, { recursive: true, force: true });
  },
});

test('PROXY set: Check connection goes via the proxy, and a whole session runs through it with CONNECT lines only', async ({
  desktop,
}) => {
  const { page } = desktop;
  const route = `Route: via proxy 127.0.0.1:${proxy.port}`;
  await page.getByRole('link', { name: 'Settings' }).first().click();
  await page.getByRole('button', { name: 'Check connection' }).click();
  const lines = page.getByRole('list', { name: 'Connection checks' }).getByRole('listitem');
  await expect(lines).toHaveCount(7);
  await expect(page.getByText(/^All 7 checks passed in/)).toBeVisible();
  for (const name of ['Discovery', 'Signing keys', 'Hello World API'])
    await expect(
      lines.filter({ has: page.locator('.check-results__name', { hasText: name }) }),
    ).toContainText(route);

  proxy.clear();
  const before = (await desktop.openedUrls()).length;
  await page.getByRole('button', { name: 'Log In' }).first().click();
  await signInWithBrowser(browser, await desktop.nextOpenedUrl(before), {
    username: alice.email,
    password: alice.password,
  });
  await expect(page.getByRole('button', { name: 'Log Out' }).first()).toBeVisible();
  await page.getByRole('link', { name: 'Protected', exact: true }).first().click();
  await expect(page.getByRole('main')).toContainText('"text": "This is a protected message."');
  await page.getByRole('link', { name: 'Admin', exact: true }).first().click();
  await expect(page.getByRole('main')).toContainText('"text": "This is an admin message."');
  await page.getByRole('button', { name: 'Log Out' }).first().click();
  await expect(page.getByRole('button', { name: 'Log In' }).first()).toBeVisible();

  const idp = new URL(devstack.issuer);
  const api = new URL(devstack.apiUrl);
  expect(new Set(proxy.lines())).toEqual(
    new Set([`CONNECT idp.corp.test:${idp.port}`, `CONNECT api.corp.test:${api.port}`]),
  );
  const seen = proxy.seen();
  for (const header of [/(^|\n)authorization:/i, /(^|\n)dpop:/i]) expect(seen).not.toMatch(header);
  for (const word of ['code=', 'refresh_token']) expect(seen).not.toContain(word);
});
