/**
 * When the saved session cannot be deleted at Log Out (a data folder that cannot be written), the
 * user is logged out of the app and told that the session is still on disk, not left believing it
 * is gone.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { alice, expect, logIn, screenshot, test } from './fixtures.ts';

test('Log Out says so when the saved session could not be deleted from the computer', async ({
  page,
  app,
}, testInfo) => {
  await app.open();
  await logIn(page, app, alice);
  // The session store writes a temporary file and renames it: a directory in its place makes every
  // write fail (as a read-only or full disk would), even for root.
  mkdirSync(path.join(app.preview.dataDir, `session.json.${process.pid}.tmp`));

  await page.getByRole('button', { name: 'Log Out' }).first().click();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log In' }),
  ).toBeVisible();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Your saved session could not be deleted');
  await expect(alert).toContainText('the app may sign you in again when it next starts');
  await screenshot(page, testInfo, 'logout-vault-not-deleted');
});
