/**
 * main.ts as Electron would run it, with `electron` replaced by fakes of its documented API: what
 * the shell wires at start-up for the desktop conventions. The log file lands in `app.getPath('logs')`,
 * the application menu is set and its Settings…, Open Logs Folder and Security Notes do what they
 * say, the window opens where the store says it was and saves its place at close, and About is filled.
 *
 * The real core runs behind it (configured from saved settings, so no devstack starts); the two
 * electron-store files are replaced by memory (electron-store loads the real `electron` itself).
 * Everything Electron-only (real menus, displays, the log folder) is proved by test/electron/.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fakeElectron as fake, MAIN_TEST_ENV } from '../support/fake-electron.ts';

vi.mock('electron', async () => (await import('../support/fake-electron.ts')).electronModule());

vi.mock('../../src-main/electron/session-store.ts', async () =>
  (await import('../support/fake-electron.ts')).sessionStoreModule(),
);
vi.mock('../../src-main/electron/window-state-store.ts', async () =>
  (await import('../support/fake-electron.ts')).windowStateStoreModule(),
);

const ENV = MAIN_TEST_ENV;
const saved: Record<string, string | undefined> = {};

/** Every item of the application menu, at any depth. */
function menuItems(): MenuItemConstructorOptions[] {
  const all = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
    items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? all(item.submenu) : [])]);
  return all((fake.menus.application as { template: MenuItemConstructorOptions[] }).template);
}

function choose(id: string): void {
  const item = menuItems().find((each) => each.id === id);
  if (!item?.click) throw new Error(`no menu item ${id}`);
  (item.click as () => void)();
}

const window = () => fake.FakeBrowserWindow.windows.at(-1)!;

/** What start-up did, copied before the first test (mock histories are cleared between tests). */
/** setAsDefaultProtocolClient calls made during start-up (histories are cleared between tests). */
const startupProtocolCalls: unknown[][] = [];
const startupUnregisterCalls: unknown[][] = [];
/** The IPC handlers main.ts registered, by channel. */
const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
const startup = {
  setPath: [] as unknown[][],
  setPathOrder: [] as number[],
  getPathOrder: [] as number[],
  about: [] as unknown[][],
};

beforeAll(async () => {
  // The tenant comes from the settings saved in Settings (editable there), not the environment.
  fake.storeValues.set('settings', { version: 1, provider: 'tenant', values: ENV });
  for (const [name, value] of Object.entries({
    ...Object.fromEntries(Object.keys(ENV).map((name) => [name, undefined])),
    APP_USER_DATA_DIR: fake.paths.userData!,
    VITE_DEV_SERVER_URL: undefined,
  })) {
    saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await import('../../src-main/electron/main.ts');
  await vi.waitFor(() => expect(fake.FakeBrowserWindow.windows).toHaveLength(1));
  const { app } = fake.module;
  startupProtocolCalls.push(...app.setAsDefaultProtocolClient.mock.calls);
  startupUnregisterCalls.push(...app.removeAsDefaultProtocolClient.mock.calls);
  for (const [channel, handler] of fake.module.ipcMain.handle.mock.calls as unknown as Array<
    [string, (event: unknown, ...args: unknown[]) => Promise<unknown>]
  >)
    handlers.set(channel, handler);
  Object.assign(startup, {
    setPath: [...app.setPath.mock.calls],
    setPathOrder: [...app.setPath.mock.invocationCallOrder],
    getPathOrder: [...app.getPath.mock.invocationCallOrder],
    about: [...app.setAboutPanelOptions.mock.calls],
  });
});

afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('main.ts at start-up', () => {
  it('writes its log to main.log in the OS log folder (owner-only), saying where the file is', () => {
    const file = path.join(fake.paths.logs!, 'main.log');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] \[info\] +\[electron\] /);
    expect(text).toContain(`logging to a file {"file":${JSON.stringify(file)}}`);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('uses the profile folder it was given (APP_USER_DATA_DIR) before anything reads it', () => {
    expect(startup.setPath).toEqual([['userData', fake.paths.userData]]);
    expect(startup.getPathOrder.length).toBeGreaterThan(0);
    expect(Math.max(...startup.setPathOrder)).toBeLessThan(Math.min(...startup.getPathOrder));
  });

  it('sets the application menu, with Settings… on CmdOrCtrl+, and developer tools (unpackaged)', () => {
    const items = menuItems();
    expect(items.find((item) => item.id === 'settings')).toMatchObject({
      label: 'Settings…',
      accelerator: 'CmdOrCtrl+,',
    });
    expect(items.map((item) => item.role)).toEqual(
      expect.arrayContaining(['copy', 'paste', 'toggleDevTools']),
    );
  });

  it('fills About with the app’s name and version', () => {
    expect(startup.about).toEqual([
      [
        expect.objectContaining({
          applicationName: 'Electron Auth0 Hello World',
          applicationVersion: '0.1.0',
        }),
      ],
    ]);
  });

  it('opens the window where it was last time, visible menu bar, on the app’s page', () => {
    expect(window().options).toMatchObject({
      x: 120,
      y: 80,
      width: 1000,
      height: 700,
      autoHideMenuBar: false,
      show: false,
    });
    expect(window().loaded).toEqual(['app://renderer/index.html']);
  });

  it('Settings… tells the open window’s renderer and brings it to the front', () => {
    choose('settings');
    expect(window().webContents.send).toHaveBeenCalledWith('app:open-settings', null);
    expect(window().focus).toHaveBeenCalled();
  });

  it('Help → Open Logs Folder and Security Notes open the log folder and the project’s SECURITY.md', async () => {
    choose('open-logs-folder');
    choose('security-notes');
    await vi.waitFor(() => expect(fake.module.shell.openPath).toHaveBeenCalledTimes(2));
    expect(fake.module.shell.openPath.mock.calls).toEqual([
      [fake.paths.logs],
      [path.join(fake.paths.appPath!, 'SECURITY.md')],
    ]);
    expect(fake.module.shell.openExternal).not.toHaveBeenCalled();
  });

  it('saves the window’s place when it closes', () => {
    window().bounds = { x: 300, y: 200, width: 900, height: 650 };
    window().emit('close');
    expect(fake.windowState.save).toHaveBeenLastCalledWith({
      bounds: { x: 300, y: 200, width: 900, height: 650 },
      maximized: false,
    });
  });
});

describe('main.ts and the app link (RFC 8252 §7.1)', () => {
  const SCHEME = 'com.example.electron-auth0-hello-world';
  const logText = () => readFileSync(path.join(fake.paths.logs!, 'main.log'), 'utf8');

  it('listens for open-url from the start and asks to be the scheme handler (Linux: the scheme alone)', () => {
    expect(fake.appEvents.listenerCount('open-url')).toBe(1);
    expect(
      fake.module.app.setAsDefaultProtocolClient.mock.calls.length + startupProtocolCalls.length,
    ).toBeGreaterThan(0);
    expect(
      [...startupProtocolCalls, ...fake.module.app.setAsDefaultProtocolClient.mock.calls][0]?.[0],
    ).toBe(SCHEME);
  });

  it('hands an open-url URL and a second instance’s argv link to the core, which drops them with no sign-in waiting (logged without the code)', async () => {
    const event = { preventDefault: vi.fn() };
    fake.appEvents.emit('open-url', event, `${SCHEME}:/callback?code=open-url-code-1&state=s`);
    expect(event.preventDefault).toHaveBeenCalled();
    fake.appEvents.emit(
      'second-instance',
      {},
      ['/opt/app/app', '--no-sandbox', `${SCHEME}:/callback?code=argv-code-2&state=s`, '--flag'],
      '/',
    );
    await vi.waitFor(() =>
      expect(logText().match(/app link dropped/g)?.length ?? 0).toBeGreaterThanOrEqual(2),
    );
    expect(logText()).not.toContain('open-url-code-1');
    expect(logText()).not.toContain('argv-code-2');
  });
});

describe('main.ts and the app link scheme (N5)', () => {
  it('gives a scheme registered by an earlier start back to the OS, then registers the build’s, and remembers it', () => {
    expect(startupUnregisterCalls.map((call) => call[0])).toEqual(['com.example.old-app-link']);
    expect(startupProtocolCalls.map((call) => call[0])).toContain(
      'com.example.electron-auth0-hello-world',
    );
    expect(fake.storeValues.get('appLinkScheme')).toBe('com.example.electron-auth0-hello-world');
  });
});

describe('main.ts confirms a provider switch in a main-process dialog (N5)', () => {
  const appFrame = { senderFrame: { parent: null, url: 'app://renderer/index.html' } };
  const save = (values: Record<string, string>) =>
    handlers.get('settings:save')!(appFrame, { provider: 'tenant', values: { ...ENV, ...values } });

  it('names the new issuer host and API origin; Cancel (the default) keeps the provider and saves nothing', async () => {
    fake.module.dialog.showMessageBox.mockResolvedValueOnce({
      response: 1,
      checkboxChecked: false,
    });
    const answer = await save({
      AUTH0_DOMAIN: 'https://other-idp.example.org',
      API_SERVER_URL: 'https://other-api.example.org:8443/v1',
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'switch_not_confirmed' } });
    expect(fake.module.dialog.showMessageBox).toHaveBeenCalledTimes(1);
    const [parent, options] = fake.module.dialog.showMessageBox.mock.calls[0]! as [
      unknown,
      { message: string; detail: string; buttons: string[]; defaultId: number; cancelId: number },
    ];
    // Modal to the app's window; a dialog the renderer cannot reach.
    expect(parent).toBe(window());
    expect(options.message).toContain('other-idp.example.org');
    expect(options.detail).toContain('Sign in at: other-idp.example.org');
    expect(options.detail).toContain('API: https://other-api.example.org:8443');
    expect(options.buttons[options.defaultId]).toBe('Cancel');
    expect(options.cancelId).toBe(options.defaultId);
    const settings = (await handlers.get('settings:get')!(appFrame)) as {
      settings: { active: { label: string } };
    };
    expect(settings.settings.active.label).toBe('tenant.example.com');
  });

  it('Switch goes ahead; a Save that changes neither provider nor API asks nothing', async () => {
    fake.module.dialog.showMessageBox.mockResolvedValueOnce({
      response: 0,
      checkboxChecked: false,
    });
    expect(await save({ AUTH0_DOMAIN: 'https://other-idp.example.org' })).toMatchObject({
      ok: true,
      settings: { active: { label: 'other-idp.example.org' } },
    });
    expect(fake.module.dialog.showMessageBox).toHaveBeenCalledTimes(1);
    fake.module.dialog.showMessageBox.mockClear();
    expect(
      await save({ AUTH0_DOMAIN: 'https://other-idp.example.org', AUTH0_CALLBACK_PORTS: '53682' }),
    ).toMatchObject({ ok: true });
    expect(fake.module.dialog.showMessageBox).not.toHaveBeenCalled();
  });

  it('refuses an app link scheme from the form: it is the build’s or the organisation’s', async () => {
    expect(
      await save({
        AUTH0_DOMAIN: 'https://other-idp.example.org',
        AUTH0_REDIRECT_SCHEME: 'com.another.app',
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'config_invalid', message: expect.stringContaining('App link scheme') },
    });
  });
});

describe('main.ts gives the core host its updates (issue 20)', () => {
  const appFrame = { senderFrame: { parent: null, url: 'app://renderer/index.html' } };

  it("answers Settings → Updates with the app's own version (no feed in this build: not set up); the window hears of every change", async () => {
    const notSetUp = { kind: 'not-set-up', missing: 'UPDATE_FEED_URL' };
    expect(await handlers.get('updates:get')!(appFrame)).toMatchObject({
      ok: true,
      updates: { currentVersion: '0.1.0', state: notSetUp },
    });
    const send = window().webContents.send;
    send.mockClear();
    expect(await handlers.get('updates:check')!(appFrame)).toMatchObject({
      ok: true,
      updates: { state: notSetUp },
    });
    expect(send).toHaveBeenCalledWith(
      'updates:changed',
      expect.objectContaining({ currentVersion: '0.1.0', state: notSetUp }),
    );
  });
});

describe('main.ts sends every request of the core through Chromium’s stack (issue 18)', () => {
  const appFrame = { senderFrame: { parent: null, url: 'app://renderer/index.html' } };
  // net.fetch is the default session's fetch.
  const net = fake.module.session.defaultSession;
  const { resolveProxy, setProxy } = fake.module.session.defaultSession;

  it('a message API call asks session.resolveProxy for its route, then goes through net.fetch', async () => {
    const answer = await handlers.get('messages:get')!(appFrame, 'public');
    expect(answer).toEqual({ ok: true, data: { text: 'This is a public message.' } });
    const url = `${ENV.API_SERVER_URL}/api/messages/public`;
    expect(resolveProxy).toHaveBeenCalledWith(url);
    expect(net.fetch).toHaveBeenCalledTimes(1);
    expect(net.fetch.mock.calls[0]![0]).toBe(url);
    expect(resolveProxy.mock.invocationCallOrder[0]).toBeLessThan(
      net.fetch.mock.invocationCallOrder[0]!,
    );
  });

  it('a proxy saved in Settings → Network becomes the session’s proxy, without its password', async () => {
    // The settings in use (an earlier test switched provider), with another PROXY: no switch.
    const save = async (PROXY: string) => {
      const { settings } = (await handlers.get('settings:get')!(appFrame)) as {
        settings: { form: { provider: string; values: Record<string, string> } };
      };
      const { form } = settings;
      return handlers.get('settings:save')!(appFrame, {
        ...form,
        values: { ...form.values, PROXY },
      });
    };
    expect(await save('http://ann:secret@proxy.corp.example:3128')).toMatchObject({ ok: true });
    expect(setProxy).toHaveBeenLastCalledWith({
      mode: 'fixed_servers',
      proxyRules: 'http://proxy.corp.example:3128',
    });
    expect(await save('none')).toMatchObject({ ok: true });
    expect(setProxy).toHaveBeenLastCalledWith({ mode: 'direct' });
    expect(await save('system')).toMatchObject({ ok: true });
    expect(setProxy).toHaveBeenLastCalledWith({ mode: 'system' });
    expect(fake.module.dialog.showMessageBox).not.toHaveBeenCalled();
  });

  it('Check connection with another proxy uses a session of its own: the app’s proxy stays', async () => {
    const { settings } = (await handlers.get('settings:get')!(appFrame)) as {
      settings: { form: { provider: string; values: Record<string, string> } };
    };
    const { form } = settings;
    const answer = await handlers.get('settings:check')!(appFrame, {
      ...form,
      values: { ...form.values, PROXY: 'http://proxy.corp.example:3128' },
    });
    expect(answer).toMatchObject({ ok: true });
    expect(fake.module.session.fromPartition).toHaveBeenCalledWith('network-check');
    const check = fake.module.session.fromPartition.mock.results[0]!.value as typeof net;
    expect(check.setProxy).toHaveBeenCalledWith({
      mode: 'fixed_servers',
      proxyRules: 'http://proxy.corp.example:3128',
    });
    expect(check.fetch).toHaveBeenCalled();
    expect(setProxy).not.toHaveBeenCalled();
  });
});
