/**
 * The built-in demo provider never blocks start: with ports 4000 and 6060 held by another program the
 * app starts on other ports, a user signs in, and after a restart on the same data folder (the ports
 * still held) the demo provider comes back on the ports it remembered: still signed in.
 */
import { heldPort } from '../support/ports.ts';
import { alice, expect, logIn, screenshot, test } from './fixtures.ts';

test('with ports 4000 and 6060 taken the app starts on the demo provider, and a restart keeps the session', async ({
  page,
  app,
}, testInfo) => {
  const held = [await heldPort(4000), await heldPort(6060)];
  try {
    // No AUTH0_* settings: the preview starts its own demo provider.
    await app.restart({ env: {} });
    expect(app.preview.summary).toMatch(
      /Port 4000 is in use: the identity provider listens on \d+ instead/,
    );
    await app.open();
    await logIn(page, app, alice);
    await page.getByRole('link', { name: 'Protected' }).click();
    await expect(page.getByRole('main')).toContainText('"text": "This is a protected message."');
    await screenshot(page, testInfo, 'demo-ports-taken');

    await app.restart({ env: {} });
    await app.open('#/profile');
    await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
    await expect(page.getByRole('main')).toContainText('alice@example.com');
    expect(app.preview.summary).not.toContain('Port 4000 is in use');
  } finally {
    await Promise.all(
      held.map((server) => server && new Promise((resolve) => server.close(resolve))),
    );
  }
});
