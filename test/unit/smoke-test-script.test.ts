/**
 * scripts/smoke-test.ts, the workflow's check that a packaged app starts, against stand-in
 * executables that behave like the app with --smoke-test: one line and exit 0; a failure line on
 * stderr and exit 1; extra lines on stdout; no exit at all. (The app's side: electron-main-smoke.test.ts.)
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSmokeTest } from '../../scripts/smoke-test.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'smoke-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function app(name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n[ "$1" = --smoke-test ] || exit 3\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe.skipIf(process.platform === 'win32')('scripts/smoke-test.ts', () => {
  it('passes on one "smoke test passed" line and exit code 0', async () => {
    const run = await runSmokeTest({
      executable: app(
        'good',
        'echo "[electron] a log line" >&2\necho \'smoke test passed: app://renderer/index.html loaded and window.auth.getSession() answered "signed-out" in 812 ms\'',
      ),
    });
    expect(run.passed).toBe(true);
    expect(run.summary).toMatch(/^smoke test passed: app:\/\/renderer\/index\.html/);
  });

  it('fails with the app’s own reason when it exits 1', async () => {
    const run = await runSmokeTest({
      executable: app(
        'bad',
        'echo "smoke test FAILED: window.auth.getSession() answered undefined" >&2\nexit 1',
      ),
    });
    expect(run.passed).toBe(false);
    expect(run.summary).toBe('smoke test FAILED: window.auth.getSession() answered undefined');
  });

  it('fails when stdout carries more than the one line, even with exit code 0', async () => {
    const run = await runSmokeTest({
      executable: app('chatty', 'echo "[electron] log"\necho "smoke test passed: app://renderer/"'),
    });
    expect(run.passed).toBe(false);
    expect(run.summary).toMatch(/^expected one line on stdout, got 2/);
  });

  it('fails, and stops the app, when it does not exit in time', async () => {
    const run = await runSmokeTest({ executable: app('hangs', 'exec sleep 30'), timeoutMs: 300 });
    expect(run.passed).toBe(false);
    expect(run.summary).toBe('no exit within 0.3 s');
    expect(run.ms).toBeLessThan(5000);
  });
});
