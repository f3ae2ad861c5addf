/**
 * The Settings page at its edges, as a person meets them (issue 22): the built-in demo provider's own
 * addresses typed as "Your Auth0 tenant" (H1), a bad value from the environment (M4), fields marked
 * only once left (M5), a saved provider that does not answer (M7), and the small things around them
 * (L3, L4, L9).
 */
import type { Page } from '@playwright/test';
import { closedPort } from '../support/ports.ts';
import {
  alice,
  expect,
  fillTenant,
  logIn,
  screenshot,
  seriousViolations,
  test,
} from './fixtures.ts';

async function screenshots(page: Page, testInfo: Parameters<typeof screenshot>[1], name: string) {
  // From the top, so the sticky nav bar sits at the top of the picture.
  await page.evaluate('window.scrollTo(0, 0)');
  expect(await seriousViolations(page), `${name} wide`).toEqual([]);
  await screenshot(page, testInfo, `${name}-wide`);
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 400, height: size.height });
  expect(await seriousViolations(page), `${name} narrow`).toEqual([]);
  await screenshot(page, testInfo, `${name}-narrow`);
  await page.setViewportSize(size);
}

/** Run in the page: the last character of each line but the last of the element holding `text`. */
const lineEnds = (text: string) => `((element) => {
  const range = document.createRange();
  const ends = [];
  let top;
  let previous = '';
  for (const node of element.childNodes) {
    if (node.nodeType !== Node.TEXT_NODE) continue;
    for (let i = 0; i < node.data.length; i += 1) {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const y = range.getBoundingClientRect().top;
      if (top !== undefined && y > top + 2) ends.push(previous);
      top = y;
      previous = node.data[i];
    }
  }
  return ends;
})([...document.querySelectorAll('.url-list__url')].find((e) => e.textContent.includes(${JSON.stringify(text)})))`;

const saveButton = (page: Page) => page.getByRole('button', { name: 'Save', exact: true });
const saveStatus = (page: Page) => page.locator('#settings-save-status');

/** The addresses the preview prints for its built-in demo provider, as a person copies them. */
function demoValues(page: Page, app: { preview: { core: { config?: unknown } } }) {
  const config = app.preview.core.config as {
    issuer: URL;
    clientId: string;
    audience: string;
    apiServerUrl: URL;
  };
  return {
    Domain: config.issuer.href.replace(/\/$/, ''),
    'Client ID': config.clientId,
    Audience: config.audience,
    'API server URL': config.apiServerUrl.href.replace(/\/$/, ''),
    host: config.issuer.host,
  };
}

test('H1: the demo provider’s own addresses typed as a tenant are recognised before Save, with one click to the demo provider', async ({
  page,
  app,
}, testInfo) => {
  await app.restart({ env: {} });
  await app.open('#/settings');
  const demo = demoValues(page, app);
  await expect(saveStatus(page)).toHaveText(
    'Saving does not sign you out: the network settings apply from the next request.',
  );
  await fillTenant(page, { Domain: demo.Domain, 'API server URL': demo['API server URL'] });
  const advice = page.getByText(/These are the built-in demo provider.s addresses:/);
  await expect(advice).toHaveCount(1);
  await expect(advice).toContainText('choose Built-in demo provider');
  // Said next to the field, and read with it.
  await expect(page.getByLabel('Domain')).toHaveAccessibleDescription(
    /These are the built-in demo provider.s addresses: choose Built-in demo provider$/,
  );
  await page.setViewportSize({ width: 1280, height: 1500 });
  await screenshots(page, testInfo, 'settings-demo-addresses');

  await advice.getByRole('button', { name: 'choose Built-in demo provider' }).click();
  await expect(page.getByRole('radio', { name: 'Built-in demo provider' })).toBeChecked();
  await expect(page.getByRole('radio', { name: 'Built-in demo provider' })).toBeFocused();
  await expect(page.getByLabel('Domain')).toHaveCount(0);
});

test('H1: saving the demo provider’s own addresses as a tenant leaves it running: checked after Save, Log In works', async ({
  page,
  app,
}) => {
  await app.restart({ env: {} });
  await app.open('#/settings');
  const demo = demoValues(page, app);
  await fillTenant(page, demo);
  // Another provider: Save is a switch, and the page says so before it is pressed.
  await expect(saveStatus(page)).toHaveText(
    'Saving signs you out and switches the app to these settings.',
  );
  await page.getByRole('button', { name: 'Check connection' }).click();
  await expect(page.getByText(/^All 7 checks passed/)).toBeVisible();
  await saveButton(page).click();
  // N5: the switch is confirmed on the host's own page first.
  await app.confirmSwitch([demo.host]);
  // Was: the switch stopped the demo provider these addresses name, and every check then failed.
  await expect(saveStatus(page)).toHaveText(
    `Saved. The app now uses ${demo.host}. Check connection passed.`,
  );
  await expect(page.getByRole('alert')).toHaveCount(0);
  await logIn(page, app, alice);
  await expect(page.locator('footer')).toContainText(`Identity provider: ${demo.host}`);
});

test('H1 + M7: Save asks "Save anyway?" before an unchecked provider, shows the failed check next to "Saved", and Log In points to Settings', async ({
  page,
  app,
}, testInfo) => {
  await app.restart({ env: {} });
  await app.open('#/settings');
  const port = await closedPort();
  await fillTenant(page, {
    Domain: `http://127.0.0.1:${port}`,
    'Client ID': 'some-client',
    Audience: 'https://hello-world.example.com',
    'API server URL': `http://127.0.0.1:${port}`,
  });
  await saveButton(page).click();
  const question = page.getByText(
    'Check connection has not been run for these settings. Save anyway?',
  );
  await expect(question).toBeVisible();
  await expect(question).toBeFocused();
  await page.setViewportSize({ width: 1280, height: 1800 });
  await screenshots(page, testInfo, 'settings-save-anyway');

  await page.getByRole('button', { name: 'Save anyway' }).click();
  await app.confirmSwitch([`127.0.0.1:${port}`]);
  await expect(saveStatus(page)).toHaveText('Saved. The app now uses 127.0.0.1:' + port + '.');
  const failed = page.getByRole('alert').filter({ hasText: 'Saved, but Check connection failed' });
  await expect(failed).toContainText('Discovery:');
  await expect(saveButton(page)).toBeFocused();
  await screenshots(page, testInfo, 'settings-saved-check-failed');

  // Log In against the saved provider: the alert points to where the Domain was typed.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: 'Log In' })
    .click();
  const alert = page.getByRole('alert').filter({ hasText: 'Cannot reach the sign-in service' });
  await expect(alert).toContainText('Check the Domain in Settings.');
  await screenshots(page, testInfo, 'login-saved-provider-unreachable');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Public' })
    .click();
  await alert.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
});

test('M4: a bad environment value is said once, with where it comes from and what to do; no Save that can never work', async ({
  page,
  app,
}, testInfo) => {
  await app.restart({ env: { AUTH0_DOMAIN: 'https://my tenant', AUTH0_CLIENT_ID: 'x' } });
  await app.open('#/settings');
  const what = 'AUTH0_DOMAIN is set in the environment: change it there and restart the app.';
  await expect(page.getByRole('main').getByText(what)).toHaveCount(1);
  await expect(page.getByRole('alert')).toHaveCount(1);
  // The read-only field is not marked (nothing here can change it), nor are the untouched ones.
  await expect(page.getByLabel('Domain')).toHaveJSProperty('readOnly', true);
  await expect(page.locator('[aria-invalid="true"]')).toHaveCount(0);
  await expect(page.getByText(/is required/)).toHaveCount(0);
  await expect(saveButton(page)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Check connection' })).toHaveCount(0);
  await expect(page.getByText('Nothing can be saved here until that is fixed.')).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 1500 });
  await screenshots(page, testInfo, 'settings-bad-environment');

  // Every other page says it once too.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Public' })
    .click();
  await expect(page.getByRole('main').getByText(what)).toHaveCount(1);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('M5: nothing is marked before it was left; Save and Check connection stay focusable and say why they cannot act yet', async ({
  page,
  app,
}, testInfo) => {
  await app.restart({ env: {} });
  await app.open('#/settings');
  await page.getByRole('radio', { name: 'Your Auth0 tenant' }).check();
  await expect(page.locator('[aria-invalid="true"]')).toHaveCount(0);
  await expect(page.getByText(/is required/)).toHaveCount(0);
  const check = page.getByRole('button', { name: 'Check connection' });
  // Not `disabled` (Tab would skip it): aria-disabled, and it says why.
  await expect(check).toHaveJSProperty('disabled', false);
  await expect(check).toHaveAttribute('aria-disabled', 'true');
  await expect(check).toHaveAccessibleDescription(
    'Check connection needs a valid Domain, Client ID, Audience and API server URL.',
  );
  await expect(saveButton(page)).toHaveAccessibleDescription(
    'Save needs a valid Domain, Client ID, Audience and API server URL.',
  );
  await page.setViewportSize({ width: 1280, height: 1600 });
  await screenshots(page, testInfo, 'settings-tenant-empty');

  // Leaving a field marks that one field.
  await page.getByLabel('Domain').focus();
  await page.keyboard.press('Tab');
  await expect(page.getByText('Domain is required for your tenant.')).toBeVisible();
  await expect(page.locator('[aria-invalid="true"]')).toHaveCount(1);
  // Tab reaches Check connection; pressing it marks every field and goes to the first.
  await check.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('[aria-invalid="true"]')).toHaveCount(4);
  await expect(page.getByLabel('Domain')).toBeFocused();
  await screenshots(page, testInfo, 'settings-tenant-attempted');
});

test('L4: Enter right after a paste saves; unsaved changes survive leaving the page', async ({
  page,
  app,
  devstack,
}) => {
  await app.restart({ env: {} });
  await app.open('#/settings');
  await fillTenant(page, {
    Domain: devstack.issuer,
    'Client ID': devstack.clientId,
    Audience: devstack.audience,
  });
  // Paste, then Enter at once, while the form is still being validated.
  const api = page.getByLabel('API server URL');
  await api.focus();
  await page.keyboard.insertText(devstack.apiUrl);
  await page.keyboard.press('Enter');
  await expect(page.getByText(/Save anyway\?$/)).toBeVisible();

  // Leave for another page and come back: the typed values are still there, and it says so.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Public' })
    .click();
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Settings' })
    .click();
  await expect(page.getByText('Your changes are not saved yet')).toBeVisible();
  await expect(page.getByLabel('API server URL')).toHaveValue(devstack.apiUrl);
  await page.getByRole('button', { name: 'Discard changes' }).click();
  await expect(page.getByRole('radio', { name: 'Built-in demo provider' })).toBeChecked();
  await expect(page.getByText('Your changes are not saved yet')).toHaveCount(0);
  await expect(page.locator('#settings-provider-legend')).toBeFocused();
});

test('L9: each list of URLs to register has "Copy all", and URLs wrap at their slashes', async ({
  page,
  app,
  context,
}) => {
  await app.restart({ env: {} });
  await app.open('#/settings');
  await fillTenant(page, { Domain: 'dev-x.us.auth0.com' });
  await page.getByLabel('Callback ports').fill('53682, 53683');
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy all Allowed Callback URLs' }).click();
  await expect
    .poll(() => page.evaluate('navigator.clipboard.readText()'))
    .toBe(
      'http://127.0.0.1:53682/callback, http://127.0.0.1:53683/callback, com.example.electron-auth0-hello-world:/callback',
    );
  // At 400 px every line of a URL ends at a slash, colon, dot or hyphen, never inside a word.
  await page.setViewportSize({ width: 400, height: 900 });
  const lines = (await page.evaluate(lineEnds('electron-auth0-hello-world'))) as string[];
  expect(lines.length).toBeGreaterThan(0);
  for (const end of lines) expect(['/', ':', '.', '-']).toContain(end);
});
