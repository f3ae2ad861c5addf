/**
 * The application menu template (src-main/electron/menu.ts) on every platform, in development and
 * packaged: what a person finds in each menu, which shortcut opens Settings, what each of the app's
 * own items does when clicked, and that nothing in it reaches the network.
 */
import { readFileSync } from 'node:fs';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import {
  OPEN_LOGS_LABEL,
  SECURITY_NOTES_LABEL,
  SETTINGS_ACCELERATOR,
  SETTINGS_LABEL,
  COPYRIGHT,
  aboutPanelOptions,
  createOpenLocalPath,
  menuTemplate,
  securityNotesPath,
  type MenuOptions,
} from '../../src-main/electron/menu.ts';

const PLATFORMS = ['darwin', 'win32', 'linux'] as const;
const CASES = PLATFORMS.flatMap((platform) =>
  [false, true].map((development) => ({ platform, development })),
);

function build(platform: NodeJS.Platform, development: boolean) {
  const commands = { openSettings: vi.fn(), openLogsFolder: vi.fn(), openSecurityNotes: vi.fn() };
  const options: MenuOptions = { platform, appName: 'Hello World', development, commands };
  return { template: menuTemplate(options), commands };
}

/** A top-level menu's title as the OS shows it: its label, or the title its role gives it. */
function titleOf(item: MenuItemConstructorOptions): string {
  if (item.label) return item.label;
  if (item.role === 'windowMenu') return 'Window';
  if (item.role === 'help') return 'Help';
  throw new Error(`untitled menu ${JSON.stringify(item)}`);
}

function menuNamed(
  template: MenuItemConstructorOptions[],
  title: string,
): MenuItemConstructorOptions[] {
  const menu = template.find((item) => titleOf(item) === title);
  if (!menu) throw new Error(`no ${title} menu`);
  return Array.isArray(menu.submenu) ? menu.submenu : [];
}

/** Every item at any depth. */
function allItems(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [
    item,
    ...(Array.isArray(item.submenu) ? allItems(item.submenu) : []),
  ]);
}

const roles = (items: MenuItemConstructorOptions[]) =>
  items.map((item) => item.role).filter(Boolean);

/** Fires an item's click the way Electron calls it (menuItem, window, event). */
function click(item: MenuItemConstructorOptions | undefined): void {
  if (!item?.click) throw new Error('the item has no click handler');
  (item.click as (...args: unknown[]) => void)({}, undefined, {});
}

describe('menuTemplate', () => {
  it('has the menus each platform expects, in order', () => {
    expect(build('darwin', false).template.map(titleOf)).toEqual([
      'Hello World',
      'File',
      'Edit',
      'View',
      'Window',
      'Help',
    ]);
    for (const platform of ['win32', 'linux'] as const) {
      expect(build(platform, false).template.map(titleOf)).toEqual([
        'File',
        'Edit',
        'View',
        'Window',
        'Help',
      ]);
    }
  });

  it.each(CASES)(
    '$platform (development: $development): every top-level item is a menu with items',
    ({ platform, development }) => {
      for (const item of build(platform, development).template) {
        if (item.role === 'windowMenu') continue; // Electron fills it (Minimize, Zoom/Close)
        expect(Array.isArray(item.submenu) && item.submenu.length > 0).toBe(true);
      }
    },
  );

  it.each(CASES)(
    '$platform (development: $development): Edit is built from roles, so copy and paste work in text fields',
    ({ platform, development }) => {
      const edit = roles(menuNamed(build(platform, development).template, 'Edit'));
      expect(edit).toEqual(
        expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']),
      );
      expect(
        menuNamed(build(platform, development).template, 'Edit').every(
          (item) => item.role || item.type === 'separator',
        ),
      ).toBe(true);
    },
  );

  it('on macOS the app menu has About, Settings…, Services, Hide and Quit, and File only closes the window', () => {
    const { template } = build('darwin', false);
    const appMenu = menuNamed(template, 'Hello World');
    expect(roles(appMenu)).toEqual(['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit']);
    expect(appMenu.find((item) => item.label === SETTINGS_LABEL)?.accelerator).toBe('CmdOrCtrl+,');
    expect(roles(menuNamed(template, 'File'))).toEqual(['close']);
    expect(roles(menuNamed(template, 'Edit'))).toContain('pasteAndMatchStyle');
  });

  it.each(['win32', 'linux'] as const)(
    'on %s File has Settings… and Quit, and Help ends with About',
    (platform) => {
      const { template } = build(platform, false);
      const file = menuNamed(template, 'File');
      expect(file.map((item) => item.label ?? item.role ?? item.type)).toEqual([
        SETTINGS_LABEL,
        'separator',
        'quit',
      ]);
      expect(menuNamed(template, 'Help').at(-1)?.role).toBe('about');
      expect(roles(menuNamed(template, 'Edit'))).not.toContain('pasteAndMatchStyle');
    },
  );

  it.each(CASES)(
    '$platform (development: $development): exactly one Settings…, with CmdOrCtrl+, , one About and one Quit',
    ({ platform, development }) => {
      const items = allItems(build(platform, development).template);
      const settings = items.filter((item) => item.label === SETTINGS_LABEL);
      expect(settings).toHaveLength(1);
      expect(settings[0]?.accelerator).toBe(SETTINGS_ACCELERATOR);
      expect(SETTINGS_ACCELERATOR).toBe('CmdOrCtrl+,');
      expect(items.filter((item) => item.role === 'about')).toHaveLength(1);
      expect(items.filter((item) => item.role === 'quit')).toHaveLength(1);
    },
  );

  it.each(CASES)(
    '$platform (development: $development): no two items share a shortcut',
    ({ platform, development }) => {
      const accelerators = allItems(build(platform, development).template).flatMap((item) =>
        item.accelerator ? [item.accelerator] : [],
      );
      expect(new Set(accelerators).size).toBe(accelerators.length);
    },
  );

  it.each(PLATFORMS)(
    '%s: View has zoom and full screen; reload and developer tools only in development',
    (platform) => {
      const packaged = roles(menuNamed(build(platform, false).template, 'View'));
      expect(packaged).toEqual(['resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']);
      const development = roles(menuNamed(build(platform, true).template, 'View'));
      expect(development).toEqual([
        'reload',
        'forceReload',
        'toggleDevTools',
        'resetZoom',
        'zoomIn',
        'zoomOut',
        'togglefullscreen',
      ]);
      // Nowhere else either: a packaged app has no way to reload the page or open DevTools from the menu.
      expect(roles(allItems(build(platform, false).template))).not.toEqual(
        expect.arrayContaining(['reload']),
      );
      expect(
        roles(allItems(build(platform, false).template)).filter(
          (role) => role === 'toggleDevTools' || role === 'forceReload',
        ),
      ).toEqual([]);
    },
  );

  it.each(CASES)(
    '$platform (development: $development): Settings…, Open Logs Folder and Security Notes call their commands, once each',
    ({ platform, development }) => {
      const { template, commands } = build(platform, development);
      const items = allItems(template);
      click(items.find((item) => item.label === SETTINGS_LABEL));
      expect(commands.openSettings).toHaveBeenCalledTimes(1);
      const help = menuNamed(template, 'Help');
      click(help.find((item) => item.label === OPEN_LOGS_LABEL));
      expect(commands.openLogsFolder).toHaveBeenCalledTimes(1);
      click(help.find((item) => item.label === SECURITY_NOTES_LABEL));
      expect(commands.openSecurityNotes).toHaveBeenCalledTimes(1);
      expect(commands.openSettings).toHaveBeenCalledTimes(1);
    },
  );

  it.each(CASES)(
    '$platform (development: $development): an item has a role or its own click, never both; nothing names a URL',
    ({ platform, development }) => {
      const { template } = build(platform, development);
      for (const item of allItems(template)) {
        if (item.type === 'separator' || Array.isArray(item.submenu)) continue;
        // Electron ignores click when a role is set: an item with both would silently not run our code.
        expect(Boolean(item.role) !== Boolean(item.click)).toBe(true);
      }
      expect(JSON.stringify(template)).not.toMatch(/https?:|www\./i);
    },
  );
});

describe('aboutPanelOptions', () => {
  it('names the app and its version (Linux shows nothing it is not given), with the packaged copyright and no website', () => {
    const about = aboutPanelOptions({ name: 'Electron Auth0 Hello World', version: '0.1.0' });
    expect(about).toMatchObject({
      applicationName: 'Electron Auth0 Hello World',
      applicationVersion: '0.1.0',
      copyright: COPYRIGHT,
    });
    expect(about).not.toHaveProperty('website');
    expect(JSON.stringify(about)).not.toMatch(/https?:/);
  });

  it('uses the copyright line electron-builder.yml gives the installers', () => {
    const builderConfig = readFileSync(
      new URL('../../electron-builder.yml', import.meta.url),
      'utf8',
    );
    expect(builderConfig).toContain(`copyright: ${COPYRIGHT}`);
  });
});

describe('securityNotesPath', () => {
  it('is SECURITY.md beside app.asar when packaged, at the project root otherwise', () => {
    const where = { resourcesPath: '/opt/Hello/resources', appPath: '/home/dev/project' };
    expect(securityNotesPath({ ...where, isPackaged: true })).toBe(
      '/opt/Hello/resources/SECURITY.md',
    );
    expect(securityNotesPath({ ...where, isPackaged: false })).toBe(
      '/home/dev/project/SECURITY.md',
    );
  });
});

describe('createOpenLocalPath', () => {
  it('opens the path with shell.openPath and reports nothing when it worked', async () => {
    const openPath = vi.fn(async () => '');
    const onFailure = vi.fn();
    await createOpenLocalPath({ openPath }, onFailure)('/var/log/hello');
    expect(openPath).toHaveBeenCalledWith('/var/log/hello');
    expect(onFailure).not.toHaveBeenCalled();
  });

  it('reports the path and the OS’s message when it could not be opened (resolved error or rejection)', async () => {
    const onFailure = vi.fn();
    await createOpenLocalPath(
      { openPath: async () => 'No application is registered for .md' },
      onFailure,
    )('/r/SECURITY.md');
    await createOpenLocalPath(
      { openPath: () => Promise.reject(new Error('gone')) },
      onFailure,
    )('/r/logs');
    expect(onFailure.mock.calls).toEqual([
      [{ path: '/r/SECURITY.md', message: 'No application is registered for .md' }],
      [{ path: '/r/logs', message: 'gone' }],
    ]);
  });
});
