/**
 * `--smoke-test`: the packaged app proves it starts. The workflow launches the unpacked packaged app
 * with this flag on Linux (under xvfb), Windows and macOS (scripts/smoke-test.ts); main.ts starts as
 * always, in a fresh temporary profile and without registering the app link with the OS, and once
 * the window exists runs smokeTest(): the window loaded the renderer from app://, the preload bridge
 * answers `window.auth.getSession()`, one line on stdout, exit code 0, all within 30 s. Anything
 * else: one line on stderr and exit code 1.
 */
import type { WebContents } from 'electron';
import { SESSION_STATUSES } from '../../src-preload/contract.ts';
import { originOf } from './policy.ts';

export const SMOKE_TEST_FLAG = '--smoke-test';
export const SMOKE_TEST_TIMEOUT_MS = 30_000;

/** Whether this launch is a smoke test (the flag anywhere in argv, as Chromium keeps switches). */
export function wantsSmokeTest(argv: readonly string[]): boolean {
  return argv.includes(SMOKE_TEST_FLAG);
}

/** Run in the page: the same call the renderer makes first, through the preload's bridge. */
const GET_SESSION_STATUS = 'window.auth.getSession().then((session) => session.status)';

type Contents = Pick<WebContents, 'isLoading' | 'getURL' | 'executeJavaScript' | 'once'>;

/** The check; resolves with the line to print, rejects saying what failed. */
export function smokeTest(
  contents: Contents,
  options: { appOrigin: string; timeoutMs?: number; now?: () => number },
): Promise<string> {
  const now = options.now ?? Date.now;
  const started = now();
  const timeoutMs = options.timeoutMs ?? SMOKE_TEST_TIMEOUT_MS;
  const check = async () => {
    if (contents.isLoading()) {
      await new Promise<void>((resolve, reject) => {
        contents.once('did-finish-load', () => resolve());
        contents.once('did-fail-load', (_event, code, description, url) =>
          reject(new Error(`the window could not load ${url}: ${description} (${code})`)),
        );
      });
    }
    const url = contents.getURL();
    if (originOf(url) !== options.appOrigin)
      throw new Error(`the window shows ${url || 'nothing'}, not the app at ${options.appOrigin}`);
    const status: unknown = await contents.executeJavaScript(GET_SESSION_STATUS);
    if (!(SESSION_STATUSES as readonly unknown[]).includes(status))
      throw new Error(`window.auth.getSession() answered ${JSON.stringify(status)}`);
    return `smoke test passed: ${url} loaded and window.auth.getSession() answered "${String(status)}" in ${now() - started} ms`;
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}
