/**
 * A preview window left open while the preview restarts (issue 22, L13): the new launch has a new key,
 * so nothing this window sends works any more. It says so at once, without a reload, instead of
 * failing at every click.
 */
import { expect, screenshot, test } from './fixtures.ts';

test('L13: a window left open across a preview restart says to open the new link, at once', async ({
  page,
  app,
}, testInfo) => {
  await app.open();
  await expect(page.getByRole('button', { name: 'Log In' }).first()).toBeVisible();
  // `npm run preview` with PREVIEW_PORT set comes back on the same address, with a new key.
  await app.restart({ port: Number(new URL(app.preview.url).port) });
  const heading = page.getByRole('heading', {
    level: 1,
    name: 'Open the link printed in the terminal',
  });
  await expect(heading).toBeVisible();
  await expect(
    page.getByText('The preview was restarted, so this window’s link no longer works.'),
  ).toBeVisible();
  await expect(heading).toBeFocused();
  await screenshot(page, testInfo, 'preview-restarted');
});
