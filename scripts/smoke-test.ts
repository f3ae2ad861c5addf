/**
 * Proves a packaged app starts: launches the executable of an unpacked build (release/linux-unpacked,
 * release/win-unpacked, release/mac-arm64, …) with `--smoke-test` (src-main/electron/smoke-test.ts)
 * and passes when it exits 0 within the limit having printed exactly one line on stdout, "smoke test
 * passed: app://…". On Linux without a display it runs under `xvfb-run -a`. The workflow runs it after
 * building each installer; packaged apps cannot be driven by Playwright (their fuses close the
 * inspector), so this is what shows the real installer's app loads at all.
 *
 *   node scripts/smoke-test.ts <unpacked folder> [--platform linux|win32|darwin]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMOKE_TEST_FLAG } from '../src-main/electron/smoke-test.ts';
import { packagedLayout } from './check-package.ts';

/** Longer than the app's own 30 s: the app says why it failed before this kills it. */
export const OUTER_TIMEOUT_MS = 60_000;

export interface SmokeTestRun {
  passed: boolean;
  /** The one line saying what happened. */
  summary: string;
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export async function runSmokeTest(options: {
  executable: string;
  /** Prefix, e.g. ['xvfb-run', '-a'] (default: none). */
  wrapper?: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<SmokeTestRun> {
  const timeoutMs = options.timeoutMs ?? OUTER_TIMEOUT_MS;
  const [command, ...args] = [...(options.wrapper ?? []), options.executable, SMOKE_TEST_FLAG];
  const started = Date.now();
  const child = spawn(command ?? options.executable, args, {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      stderr += `${error.message}\n`;
      resolve(null);
    });
    child.on('close', (exitCode) => resolve(exitCode));
  });
  clearTimeout(timer);
  const ms = Date.now() - started;
  const lines = stdout.split(/\r?\n/).filter((line) => line.trim() !== '');
  const failure = stderr.split(/\r?\n/).find((line) => line.startsWith('smoke test FAILED'));
  let summary: string;
  if (timedOut) summary = `no exit within ${timeoutMs / 1000} s`;
  else if (code !== 0) summary = failure ?? `exit code ${code ?? 'none'} and no reason given`;
  else if (lines.length !== 1)
    summary = `expected one line on stdout, got ${lines.length}: ${JSON.stringify(lines.slice(0, 3))}`;
  else if (!/^smoke test passed: app:\/\//.test(lines[0] ?? ''))
    summary = `unexpected line: ${lines[0]}`;
  else summary = lines[0] ?? '';
  const passed = !timedOut && code === 0 && summary === lines[0];
  return { passed, summary, code, stdout, stderr, ms };
}

if (import.meta.filename === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--platform');
  const platform = (at >= 0 ? args[at + 1] : process.platform) as NodeJS.Platform;
  const appOutDir = args.find((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--platform');
  if (!appOutDir) {
    console.error(
      'usage: node scripts/smoke-test.ts <unpacked folder> [--platform linux|win32|darwin]',
    );
    process.exit(2);
  }
  const { executable } = await packagedLayout({
    projectRoot: fileURLToPath(new URL('..', import.meta.url)),
    appOutDir: path.resolve(appOutDir),
    platform,
  });
  const needsDisplay =
    process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
  const run = await runSmokeTest({
    executable,
    ...(needsDisplay ? { wrapper: ['xvfb-run', '-a'] } : {}),
  });
  if (!run.passed) {
    process.stderr.write(run.stderr);
    console.error(`smoke test of ${executable} FAILED after ${run.ms} ms: ${run.summary}`);
    process.exit(1);
  }
  console.log(`${run.summary} (${executable}, ${run.ms} ms in all)`);
}
