/**
 * `npm run preview` opens its link through an owner-only redirect file (N2 of the second security
 * review): the opener is given the file, never the key; the file is 0600 in a 0700 folder, sends the
 * browser to the link, and is deleted once the key was used or after its lifetime.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openLinkThroughFile, redirectPage } from '../../src-main/preview/open-link.ts';

const LINK = 'http://127.0.0.1:5173/#key=abcDEF123_-abcDEF123_-abcDEF123_-abcDEF123_';

function opener() {
  const calls: string[] = [];
  return { calls, open: async (url: string) => void calls.push(url) };
}

describe('openLinkThroughFile', () => {
  it('gives the opener a file:// URL without the key; the file is owner-only and redirects to the link', async () => {
    const { calls, open } = opener();
    const { redirect, opened } = openLinkThroughFile(LINK, {
      open,
      keyUsed: new Promise(() => {}),
      dir: mkdtempSync(path.join(os.tmpdir(), 'open-link-')),
    });
    await opened;
    expect(calls).toEqual([redirect.url]);
    expect(calls[0]).toMatch(/^file:\/\//);
    expect(calls[0]).not.toContain('key=');
    const file = fileURLToPath(calls[0]!);
    expect(readFileSync(file, 'utf8')).toContain(
      `<meta http-equiv="refresh" content="0;url=${LINK}">`,
    );
    if (process.platform !== 'win32') {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    }
    redirect.remove();
  });

  it('deletes the file as soon as the key was used', async () => {
    const { open } = opener();
    let used!: () => void;
    const { redirect } = openLinkThroughFile(LINK, {
      open,
      keyUsed: new Promise((resolve) => (used = resolve)),
    });
    expect(existsSync(redirect.file)).toBe(true);
    used();
    await expect.poll(() => existsSync(redirect.file)).toBe(false);
    expect(existsSync(path.dirname(redirect.file))).toBe(false);
  });

  it('deletes the file after its lifetime when the browser never came', async () => {
    const { open } = opener();
    const { redirect } = openLinkThroughFile(LINK, {
      open,
      keyUsed: new Promise(() => {}),
      lifetimeMs: 50,
    });
    expect(existsSync(redirect.file)).toBe(true);
    await expect.poll(() => existsSync(redirect.file), { timeout: 2000 }).toBe(false);
  });

  it('deletes the file when the opener fails', async () => {
    const { redirect, opened } = openLinkThroughFile(LINK, {
      open: () => Promise.reject(new Error('no opener')),
      keyUsed: new Promise(() => {}),
    });
    await expect(opened).rejects.toThrow('no opener');
    expect(existsSync(redirect.file)).toBe(false);
  });

  it('escapes the link in the page', () => {
    expect(redirectPage('http://127.0.0.1:1/#key=a"><script>')).not.toContain('"><script>');
  });
});
