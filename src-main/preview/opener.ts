/** Opens a URL in the user's default browser, without a shell: the preview's `openExternal`. */
import { spawn } from 'node:child_process';
import { CoreError } from '../core/errors.ts';

/** Opens an http(s) URL in the user's default browser. */
export function openInSystemBrowser(url: string): Promise<void> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return Promise.reject(new Error('Only http(s) URLs are opened.'));
  return runOpener(parsed.href);
}

/** Opens a local HTML file (the CLI's owner-only redirect to its link: open-link.ts), as `file://`. */
export function openFileInSystemBrowser(fileUrl: string): Promise<void> {
  const parsed = new URL(fileUrl);
  if (parsed.protocol !== 'file:')
    return Promise.reject(new Error('Only file:// URLs are opened.'));
  return runOpener(parsed.href);
}

function runOpener(target: string): Promise<void> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [target]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', target]]
        : ['xdg-open', [target]];
  // Detached, its output ignored and not waited for by this process: without a desktop environment
  // xdg-open runs the browser in the foreground and only exits with it. The promise settles when the
  // opener exits (or cannot start); the core never waits for it before listening for the callback.
  return new Promise((resolve, reject) => {
    const opener = spawn(command, args as string[], {
      detached: true,
      stdio: 'ignore',
      windowsHide: true,
    });
    // Our own sentence (a CoreError), so the UI says it; the OS's words go to the log only as cause.
    opener.once('error', (error) =>
      reject(
        new CoreError('internal', `Could not open the browser (${command} could not start).`, {
          cause: error,
        }),
      ),
    );
    opener.once('exit', (code, signal) => {
      if (code === 0) return resolve();
      const ended = signal ?? `exit code ${code}`;
      reject(
        new CoreError('internal', `Could not open the browser (${command} ended with ${ended}).`),
      );
    });
    opener.unref();
  });
}
