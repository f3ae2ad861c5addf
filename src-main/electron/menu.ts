/**
 * The application menu, as a pure function of plain data: `menuTemplate` answers the template and
 * main.ts hands it to `Menu.buildFromTemplate`. Unit-tested for every platform
 * (test/unit/electron-menu.test.ts).
 *
 * Built from Electron's roles wherever one exists, so the OS does the work: on macOS the Edit menu's
 * roles are what make copy and paste (and undo) work in text fields at all, and the app menu's roles
 * (About, Services, Hide, Quit) behave as every Mac app's do. What the app adds is three commands:
 * Settings… (CmdOrCtrl+, on every platform), Open Logs Folder and Security Notes. Nothing here opens
 * a remote URL: the security notes are the SECURITY.md shipped with the app (extraResources).
 *
 * Type-only Electron imports: tests pass fakes.
 */
import path from 'node:path';
import type { AboutPanelOptionsOptions, MenuItemConstructorOptions, Shell } from 'electron';

/** Settings has the same shortcut on every platform (macOS: Cmd+, by convention; elsewhere Ctrl+,). */
export const SETTINGS_ACCELERATOR = 'CmdOrCtrl+,';
export const SETTINGS_LABEL = 'Settings…';
export const OPEN_LOGS_LABEL = 'Open Logs Folder';
export const SECURITY_NOTES_LABEL = 'Security Notes';
/** The file that Security Notes opens: shipped beside app.asar (electron-builder.yml extraResources). */
export const SECURITY_NOTES_FILE = 'SECURITY.md';

/** What the app's own menu items do; main.ts implements them. */
export interface MenuCommands {
  /** Brings the window to the front and shows the Settings page. */
  openSettings(): void;
  /** Opens the folder with the app's logs in the OS's file manager. */
  openLogsFolder(): void;
  /** Opens the SECURITY.md shipped with the app. */
  openSecurityNotes(): void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** The macOS app menu's title (app.name). */
  appName: string;
  /** Reload and developer tools only in an unpackaged build. */
  development: boolean;
  commands: MenuCommands;
}

const separator: MenuItemConstructorOptions = { type: 'separator' };

export function menuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const { commands } = options;
  const settings: MenuItemConstructorOptions = {
    id: 'settings',
    label: SETTINGS_LABEL,
    accelerator: SETTINGS_ACCELERATOR,
    click: () => commands.openSettings(),
  };

  // macOS: the app menu carries About, Settings… and Quit (Apple's Human Interface Guidelines).
  const appMenu: MenuItemConstructorOptions[] = mac
    ? [
        {
          label: options.appName,
          submenu: [
            { role: 'about' },
            separator,
            settings,
            separator,
            { role: 'services' },
            separator,
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            separator,
            { role: 'quit' },
          ],
        },
      ]
    : [];

  // Windows and Linux have no app menu: Settings… and Quit live in File, as they do in most apps there.
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: mac ? [{ role: 'close' }] : [settings, separator, { role: 'quit' }],
  };

  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' },
      separator,
      { role: 'selectAll' },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...(options.development
        ? [
            { role: 'reload' } as const,
            { role: 'forceReload' } as const,
            { role: 'toggleDevTools' } as const,
            separator,
          ]
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };

  const window: MenuItemConstructorOptions = { role: 'windowMenu' };

  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      { id: 'open-logs-folder', label: OPEN_LOGS_LABEL, click: () => commands.openLogsFolder() },
      {
        id: 'security-notes',
        label: SECURITY_NOTES_LABEL,
        click: () => commands.openSecurityNotes(),
      },
      // macOS has About in the app menu; elsewhere it belongs at the end of Help.
      ...(mac ? [] : [separator, { role: 'about' } as const]),
    ],
  };

  return [...appMenu, file, edit, view, window, help];
}

/** As electron-builder.yml says it (`copyright`). */
export const COPYRIGHT = 'Copyright © 2026 the Electron Auth0 Hello World authors';

/**
 * What About shows (`app.setAboutPanelOptions`). Linux shows nothing it is not given, so name and
 * version are always set; no website: the panel links nowhere.
 */
export function aboutPanelOptions(options: {
  name: string;
  version: string;
}): AboutPanelOptionsOptions {
  return {
    applicationName: options.name,
    applicationVersion: options.version,
    copyright: COPYRIGHT,
    credits:
      'Signs in with OpenID Connect in your browser (RFC 8252); tokens stay in the main process.',
  };
}

/**
 * Where SECURITY.md is at run time: beside app.asar in a packaged app (`process.resourcesPath`, where
 * extraResources puts it), at the project root (`app.getAppPath()`) in an unpackaged one.
 */
export function securityNotesPath(options: {
  isPackaged: boolean;
  resourcesPath: string;
  appPath: string;
}): string {
  return path.join(
    options.isPackaged ? options.resourcesPath : options.appPath,
    SECURITY_NOTES_FILE,
  );
}

/**
 * Opens a local file or folder with the OS's default app (`shell.openPath`, which resolves to an
 * error message, empty on success). A failure is reported with the path, so the user can still find it.
 */
export function createOpenLocalPath(
  shell: Pick<Shell, 'openPath'>,
  onFailure: (failure: { path: string; message: string }) => void,
): (target: string) => Promise<void> {
  return async (target) => {
    let message: string;
    try {
      message = await shell.openPath(target);
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    if (message) onFailure({ path: target, message });
  };
}
