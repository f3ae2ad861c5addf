/**
 * Opening the preview's link without putting its key on a command line (N2 of the second security
 * review). `/proc/<pid>/cmdline` is readable by every local user, and a browser started by the
 * opener keeps the URL in its own argv; a link with `#key=…` there hands the key to anyone on the
 * machine. So, as Jupyter does, the CLI writes an owner-only HTML file (0600, in a 0700 folder of
 * its own) that redirects to the link, and opens that file: the command line holds only the file's
 * name. The file is deleted as soon as the key has been used (the page opened) or after a minute,
 * whichever comes first, and when the preview stops. The link is still printed in the terminal.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** How long the redirect file may wait for the browser before it is deleted anyway. */
export const REDIRECT_FILE_LIFETIME_MS = 60_000;

export interface RedirectFile {
  /** The file's path (inside a folder of its own). */
  file: string;
  /** `file://…`: what the opener is given. */
  url: string;
  /** Deletes the file and its folder; safe to call more than once. */
  remove(): void;
}

/** An HTML page that sends the browser to `link` at once (meta refresh, and a link to click). */
export function redirectPage(link: string): string {
  const href = link
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${href}">
<title>Opening the preview…</title>
</head>
<body>
<p>Opening the preview… If nothing happens, <a href="${href}">open it here</a>.</p>
</body>
</html>
`;
}

/** Writes the redirect file, owner-only, in a new folder only its owner can enter. */
export function writeRedirectFile(link: string, dir = os.tmpdir()): RedirectFile {
  // mkdtemp makes the folder 0700; the file is created (never reused: 'wx') 0600.
  const folder = mkdtempSync(path.join(dir, 'hello-preview-open-'));
  const file = path.join(folder, 'open-preview.html');
  writeFileSync(file, redirectPage(link), { mode: 0o600, flag: 'wx' });
  return {
    file,
    url: pathToFileURL(file).href,
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}

export interface OpenLinkOptions {
  /** Opens a `file://` URL in the user's browser (the preview's opener). */
  open: (fileUrl: string) => Promise<void>;
  /** Settles when the key has been used: the file has done its job. */
  keyUsed: Promise<void>;
  lifetimeMs?: number;
  dir?: string;
}

/**
 * Opens `link` through a redirect file; the file goes when the key was used, after `lifetimeMs`,
 * or when the opener fails. Returns the file (its `remove` for the preview's shutdown) and the
 * opener's promise.
 */
export function openLinkThroughFile(
  link: string,
  options: OpenLinkOptions,
): { redirect: RedirectFile; opened: Promise<void> } {
  const redirect = writeRedirectFile(link, options.dir);
  const timer = setTimeout(redirect.remove, options.lifetimeMs ?? REDIRECT_FILE_LIFETIME_MS);
  timer.unref();
  const done = () => {
    clearTimeout(timer);
    redirect.remove();
  };
  void options.keyUsed.then(done, done);
  const opened = options.open(redirect.url).catch((error: unknown) => {
    done();
    throw error;
  });
  return { redirect, opened };
}
