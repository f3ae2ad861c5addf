/**
 * The Electron application menu's Settings… item (CmdOrCtrl+,), as the renderer meets it: main sends
 * `app:open-settings` and the window shows the Settings page, wherever the user was. In the preview
 * the event travels the HTTP bridge's event stream; the test stands in for the menu through the
 * preview's test-only endpoint (capture mode). The menu itself is unit-tested
 * (test/unit/electron-menu.test.ts) and exercised in Electron (test/electron/desktop.spec.ts).
 */
import type { Page } from '@playwright/test';
import { alice, expect, logIn, screenshot, test, type PreviewApp } from './fixtures.ts';

/** Chooses Settings… in the app menu: retried until the page's event stream has heard it. */
async function chooseSettingsInMenu(app: PreviewApp): Promise<void> {
  await expect
    .poll(
      async () => {
        const answer = await fetch(`${app.preview.url}__preview/menu/open-settings`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Preview-Key': app.preview.key },
          body: '{}',
        });
        return ((await answer.json()) as { delivered: number }).delivered;
      },
      { message: 'the page is listening for app events' },
    )
    .toBeGreaterThan(0);
}

async function expectSettingsPage(page: Page): Promise<void> {
  await expect(page).toHaveURL(/#\/settings$/);
  await expect(page).toHaveTitle(/Hello World$/);
}

test('Settings… in the app menu shows the Settings page from the home page, signed out', async ({
  app,
  page,
}, testInfo) => {
  await app.open('#/');
  await expect(page.getByRole('button', { name: 'Log In' }).first()).toBeVisible();
  await chooseSettingsInMenu(app);
  await expectSettingsPage(page);
  await screenshot(page, testInfo, 'menu-settings-signed-out');
});

test('Settings… in the app menu leaves a signed-in page for Settings and keeps the session', async ({
  app,
  page,
}) => {
  await app.open('#/');
  await logIn(page, app, alice);
  await page.getByRole('link', { name: 'Profile', exact: true }).first().click();
  await expect(page).toHaveURL(/#\/profile$/);
  await chooseSettingsInMenu(app);
  await expectSettingsPage(page);
  await expect(page.getByRole('button', { name: 'Log Out' }).first()).toBeVisible();
  // Back goes to where the user was: the menu navigated like a link would.
  await page.goBack();
  await expect(page).toHaveURL(/#\/profile$/);
});
