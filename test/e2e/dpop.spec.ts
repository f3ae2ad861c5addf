/**
 * The user's journey with DPoP on (AUTH0_DPOP=true), through the preview in Chromium, on the real core
 * and devstack: every protected API call the app makes carries `Authorization: DPoP` and a proof, the
 * account's key is stored only encrypted inside the vault of accounts, it still signs after a
 * restart, and it is gone with the account after logging out (issue 19: a key per account).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { alice, envFor, expect, logIn, screenshot, test } from './fixtures.ts';

function storedRecords(dataDir: string): Record<string, Record<string, unknown>> {
  return JSON.parse(readFileSync(path.join(dataDir, 'session.json'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
}

test('with DPoP on, alice signs in, reads protected and admin messages, restarts and logs out', async ({
  page,
  app,
  devstack,
}, testInfo) => {
  // The devstack and the preview run in this worker: watch what the API receives.
  const apiHost = new URL(devstack.apiUrl).host;
  const seen: Array<{ path: string; scheme: string; proof: boolean }> = [];
  const watch = (message: unknown) => {
    const { request } = message as { request: IncomingMessage };
    if (request.headers.host !== apiHost || !request.url?.startsWith('/api/messages/')) return;
    seen.push({
      path: request.url,
      scheme: request.headers.authorization?.split(' ')[0] ?? '',
      proof: typeof request.headers.dpop === 'string',
    });
  };
  subscribe('http.server.request.start', watch);
  try {
    const env = envFor(devstack, { AUTH0_DPOP: 'true' });
    await app.restart({ env });
    await app.open();
    await logIn(page, app, alice);

    await page.getByRole('link', { name: 'Protected' }).click();
    await expect(page.getByRole('main')).toContainText('"text": "This is a protected message."');
    await page.getByRole('link', { name: 'Admin' }).click();
    await expect(page.getByRole('main')).toContainText('"text": "This is an admin message."');
    await screenshot(page, testInfo, 'dpop-admin');

    // The key is in the store only inside the accounts' ciphertext: no record of its own.
    const records = storedRecords(app.preview.dataDir);
    expect(Object.keys(records['accounts'] ?? {}).sort()).toEqual([
      'apiOrigin',
      'audience',
      'ciphertext',
      'clientId',
      'issuer',
      'version',
    ]);
    expect(records['dpop-key']).toBeUndefined();
    expect(records['session']).toBeUndefined();

    // A restart: the restored account's proofs are signed by its (reloaded) key.
    await app.restart({ env });
    await app.open('#/admin');
    await expect(page.getByRole('main')).toContainText('"text": "This is an admin message."');

    // Every authenticated call was DPoP with a proof; none was a bearer call.
    const authenticated = seen.filter((call) => call.scheme !== '');
    expect(authenticated.length).toBeGreaterThanOrEqual(3);
    expect(authenticated.every((call) => call.scheme === 'DPoP' && call.proof)).toBe(true);

    // Log out: the account is gone, and its key with it.
    await page.getByRole('button', { name: 'Log Out' }).click();
    // The nav's Log In (on the Admin page the guard offers one too until the app goes home).
    await expect(
      page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log In' }),
    ).toBeVisible();
    const after = storedRecords(app.preview.dataDir);
    expect(after['accounts']).toBeUndefined();
    expect(after['dpop-key']).toBeUndefined();
  } finally {
    unsubscribe('http.server.request.start', watch);
  }
});
