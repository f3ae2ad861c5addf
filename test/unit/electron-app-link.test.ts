/**
 * The app link at the Electron edge, with plain data standing in for what Electron's documented APIs
 * give: argv of a launch / of `second-instance`, `open-url` before `ready`, the arguments for
 * `setAsDefaultProtocolClient`, the name `getApplicationNameForProtocol` answers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILD_REDIRECT_SCHEMES, DEFAULT_REDIRECT_SCHEME } from '../../src-main/core/config.ts';
import {
  AppLinkInbox,
  findAppLinks,
  handlerIsThisApp,
  linuxAppLinkHandler,
  namedAppLinkHandler,
  protocolClientCall,
} from '../../src-main/electron/app-link.ts';
import { APP_LINK_SCHEME } from '../../devstack/index.ts';

const SCHEME = 'com.example.electron-auth0-hello-world';
const LINK = `${SCHEME}:/callback?code=c&state=s`;

describe('findAppLinks: every argument is searched, never only the last', () => {
  it('finds the URL wherever Chromium and Electron put their switches (Windows second-instance argv)', () => {
    const argv = [
      'C:\\App\\app.exe',
      '--allow-file-access-from-files',
      '--',
      LINK,
      '--original-process-start-time=1',
    ];
    expect(findAppLinks(argv, SCHEME)).toEqual([LINK]);
  });

  it('finds it in a development launch (electron <app> -- <url>) and in any case of the scheme', () => {
    expect(
      findAppLinks(
        [
          '/usr/bin/electron',
          '/work/app',
          '--',
          LINK.toUpperCase().replace('CALLBACK?CODE=C&STATE=S', 'callback?code=c'),
        ],
        SCHEME,
      ),
    ).toHaveLength(1);
  });

  it('takes nothing else: other schemes, a scheme that merely starts like ours, switches, overlong', () => {
    expect(
      findAppLinks(
        [
          'app',
          'com.example.other:/callback',
          `${SCHEME}x:/callback`,
          `--url=${LINK}`,
          `${SCHEME}:/callback?${'a'.repeat(9000)}`,
        ],
        SCHEME,
      ),
    ).toEqual([]);
  });
});

describe('protocolClientCall: setAsDefaultProtocolClient as each OS needs it', () => {
  const base = { scheme: SCHEME, execPath: 'C:\\App\\electron.exe', appPath: 'C:\\work\\app' };
  it('Windows, packaged: the executable with a trailing "--", so a URL can never become a Chromium switch', () => {
    expect(protocolClientCall({ ...base, platform: 'win32', isPackaged: true })).toEqual({
      scheme: SCHEME,
      path: base.execPath,
      args: ['--'],
    });
  });
  it('Windows, development: Electron with the app folder, then "--"', () => {
    expect(protocolClientCall({ ...base, platform: 'win32', isPackaged: false })).toEqual({
      scheme: SCHEME,
      path: base.execPath,
      args: [base.appPath, '--'],
    });
  });
  it('macOS and Linux: the scheme alone (path and args are Windows-only)', () => {
    expect(protocolClientCall({ ...base, platform: 'darwin', isPackaged: true })).toEqual({
      scheme: SCHEME,
    });
    expect(protocolClientCall({ ...base, platform: 'linux', isPackaged: false })).toEqual({
      scheme: SCHEME,
    });
  });
});

describe('handlerIsThisApp: the app link is offered only where the OS names this app', () => {
  const names = ['electron-auth0-hello-world', 'Electron Auth0 Hello World'];
  it('yes for the packaged app, as macOS, Windows and Linux name it', () => {
    expect(handlerIsThisApp('Electron Auth0 Hello World', names)).toBe(true);
    expect(handlerIsThisApp('Electron Auth0 Hello World.app', names)).toBe(true);
    expect(handlerIsThisApp('electron-auth0-hello-world.desktop', names)).toBe(true);
  });
  it('no in unpackaged development (Electron is the handler, or none) or for another app', () => {
    expect(handlerIsThisApp('Electron', names)).toBe(false);
    expect(handlerIsThisApp('', names)).toBe(false);
    expect(handlerIsThisApp('Evil Electron Auth0 Hello World Helper', names)).toBe(false);
  });
});

describe('linuxAppLinkHandler: offered only where xdg-mime names this app’s desktop file, else why', () => {
  const desktopFile = 'electron-auth0-hello-world.desktop';
  it('yes when the desktop hands the scheme to our .desktop file (the deb installed it)', () => {
    expect(
      linuxAppLinkHandler({ scheme: SCHEME, desktopFile, query: { output: `${desktopFile}\n` } }),
    ).toEqual({ registered: true });
  });
  it.each([
    {
      name: 'no handler (development, a bare AppImage)',
      desktopFile,
      query: { output: '' },
      reason: `no program on this desktop opens ${SCHEME}: links: ${desktopFile} is installed by the app's deb package (or an AppImage integrated into the desktop), not in development`,
    },
    {
      name: 'another program',
      desktopFile,
      query: { output: 'electron.desktop\n' },
      reason: `${SCHEME}: links open electron.desktop here, not this app (${desktopFile})`,
    },
    {
      name: 'xdg-mime missing',
      desktopFile,
      query: { error: 'spawn xdg-mime ENOENT' },
      reason: `the desktop could not be asked which program opens ${SCHEME}: links (xdg-mime: spawn xdg-mime ENOENT)`,
    },
    {
      name: 'no desktop file named (CHROME_DESKTOP unset)',
      desktopFile: undefined,
      query: { output: `${desktopFile}\n` },
      reason: `this build names no desktop file to open ${SCHEME}: links`,
    },
  ])('no, saying why: $name', ({ desktopFile: file, query, reason }) => {
    expect(linuxAppLinkHandler({ scheme: SCHEME, desktopFile: file, query })).toEqual({
      registered: false,
      reason,
    });
  });
  it('a display name that merely looks like ours is not enough (only the desktop file counts)', () => {
    expect(
      linuxAppLinkHandler({
        scheme: SCHEME,
        desktopFile,
        query: { output: 'Electron Auth0 Hello World' },
      }).registered,
    ).toBe(false);
  });
});

describe('namedAppLinkHandler (macOS, Windows)', () => {
  const appNames = ['Electron Auth0 Hello World'];
  it('yes for this app, else says which program (or none) the OS names', () => {
    expect(
      namedAppLinkHandler({
        scheme: SCHEME,
        handlerName: 'Electron Auth0 Hello World.app',
        appNames,
      }),
    ).toEqual({ registered: true });
    expect(namedAppLinkHandler({ scheme: SCHEME, handlerName: 'Electron', appNames })).toEqual({
      registered: false,
      reason: `${SCHEME}: links open Electron here, not this app (in development the OS names Electron)`,
    });
    expect(namedAppLinkHandler({ scheme: SCHEME, handlerName: '', appNames }).reason).toMatch(
      /^no program on this computer opens/,
    );
  });
});

describe('AppLinkInbox: open-url before ready', () => {
  it('keeps URLs that arrive before the core, hands them over in order, then passes the rest straight on', () => {
    const inbox = new AppLinkInbox();
    const delivered: string[] = [];
    inbox.push('a:/1');
    inbox.push('a:/2');
    expect(delivered).toEqual([]);
    inbox.open((url) => delivered.push(url));
    inbox.push('a:/3');
    expect(delivered).toEqual(['a:/1', 'a:/2', 'a:/3']);
  });
  it('keeps at most 8 before the core starts', () => {
    const inbox = new AppLinkInbox();
    for (let i = 0; i < 50; i++) inbox.push(`a:/${i}`);
    const delivered: string[] = [];
    inbox.open((url) => delivered.push(url));
    expect(delivered).toHaveLength(8);
  });
});

describe('one scheme everywhere', () => {
  it('is the appId in lower case: the app default, the devstack registration, electron-builder protocols', () => {
    const yml = readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8');
    const appId = /^appId:\s*(\S+)/m.exec(yml)?.[1];
    expect(appId?.toLowerCase()).toBe(DEFAULT_REDIRECT_SCHEME);
    expect(APP_LINK_SCHEME).toBe(DEFAULT_REDIRECT_SCHEME);
    expect(yml).toMatch(
      new RegExp(
        `schemes:\\s*\\n\\s*-\\s*${DEFAULT_REDIRECT_SCHEME.replace(/\./g, '\\.')}\\s*$`,
        'm',
      ),
    );
  });

  it('AUTH0_REDIRECT_SCHEME may name only the schemes electron-builder.yml registers (N5)', () => {
    const yml = readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8');
    const block = /^protocols:\n((?:[ -].*\n)+)/m.exec(yml)?.[1] ?? '';
    const schemes = [...block.matchAll(/^\s+-\s+([a-z0-9.+-]+)\s*$/gm)].map((match) => match[1]);
    expect(schemes).toEqual([...BUILD_REDIRECT_SCHEMES]);
  });
});
