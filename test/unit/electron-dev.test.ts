/**
 * `npm run electron:dev`'s Electron side (scripts/electron-dev.ts) with vite-plugin-electron's
 * `startup` replaced by a recorder that spawns a real short-lived child as `process.electronApp` and
 * hooks `exit` to `process.exit` exactly as the plugin does: a blocked sandbox waits for the fix, the
 * opt-in adds --no-sandbox, and Electron exiting leaves the dev server alive with one line.
 * The whole command on a stand-in Electron: test/integration/electron-download.test.ts.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createElectronDev, electronExitedLine } from '../../scripts/electron-dev.ts';
import type { SandboxPlan } from '../../scripts/electron-sandbox.ts';

type WithElectronApp = NodeJS.Process & { electronApp?: ChildProcess };

let dist: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dist = mkdtempSync(path.join(os.tmpdir(), 'electron-dev-'));
  mkdirSync(dist, { recursive: true });
  writeFileSync(path.join(dist, 'electron'), '');
  // An installed Electron: nothing to download.
  env = { ELECTRON_OVERRIDE_DIST_PATH: dist, VITE_DEV_SERVER_URL: 'http://localhost:5173/' };
});

afterAll(() => rmSync(dist, { recursive: true, force: true }));

afterEach(() => {
  (process as WithElectronApp).electronApp = undefined;
  vi.restoreAllMocks();
});

/**
 * vite-plugin-electron's startup(): spawns "Electron" (here: node exiting with `code`), exit →
 * process.exit.
 */
function pluginStartup(code: number) {
  const calls: { argv: string[]; options?: SpawnOptions }[] = [];
  const startup = async (argv: string[] = ['.', '--no-sandbox'], options?: SpawnOptions) => {
    calls.push({ argv, options });
    const child = spawn(process.execPath, ['-e', `process.exit(${code})`], { stdio: 'ignore' });
    (process as WithElectronApp).electronApp = child;
    child.on('exit', process.exit);
    return true;
  };
  return { startup, calls };
}

describe('electron:dev starting Electron', () => {
  it('where the sandbox is blocked, says the fixes once, waits, and starts sandboxed once one is done', async () => {
    const lines: string[] = [];
    const plans: SandboxPlan[] = [
      {
        kind: 'blocked',
        waitable: true,
        why: 'restricted',
        line: 'Electron cannot start its OS sandbox: …',
      },
      {
        kind: 'blocked',
        waitable: true,
        why: 'restricted',
        line: 'Electron cannot start its OS sandbox: …',
      },
      { kind: 'sandboxed', args: [] },
    ];
    const plan = vi.fn(() => plans.shift() ?? { kind: 'sandboxed' as const, args: [] });
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const dev = createElectronDev({
      projectRoot: '/project',
      env,
      log: (line) => lines.push(line),
      pollMs: 10,
      plan,
    });
    const { startup, calls } = pluginStartup(0);
    await dev.mainBuilt(startup);
    expect(plan).toHaveBeenCalledTimes(3);
    expect(lines.filter((line) => line.startsWith('Electron cannot start'))).toHaveLength(1);
    expect(calls).toEqual([{ argv: ['.'], options: { cwd: '/project' } }]);
    await vi.waitFor(() => expect(lines.at(-1)).toMatch(/^Electron exited \(code 0\)/));
    expect(exit).not.toHaveBeenCalled();
  });

  it('as root (a fix cannot come), says so and does not start', async () => {
    const lines: string[] = [];
    const dev = createElectronDev({
      projectRoot: '/project',
      env,
      log: (line) => lines.push(line),
      plan: () => ({ kind: 'blocked', waitable: false, why: 'root', line: 'as root' }),
    });
    const { startup, calls } = pluginStartup(0);
    await dev.mainBuilt(startup);
    expect(calls).toEqual([]);
    expect(lines).toEqual(['as root']);
  });

  it('with the opt-in on a restricted machine, starts with --no-sandbox and says so', async () => {
    const lines: string[] = [];
    vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const dev = createElectronDev({
      projectRoot: '/project',
      env,
      log: (line) => lines.push(line),
      plan: () => ({
        kind: 'unsandboxed',
        args: ['--no-sandbox'],
        why: 'restricted',
        line: 'WITHOUT its OS sandbox',
      }),
    });
    const { startup, calls } = pluginStartup(0);
    await dev.mainBuilt(startup);
    expect(calls[0]?.argv).toEqual(['.', '--no-sandbox']);
    expect(lines).toContain('WITHOUT its OS sandbox');
  });

  it('Electron exiting with an error does not end the dev server; e + enter starts it again', async () => {
    const lines: string[] = [];
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const dev = createElectronDev({
      projectRoot: '/project',
      env,
      log: (line) => lines.push(line),
      shortcuts: true,
      plan: () => ({ kind: 'sandboxed', args: [] }),
    });
    const { startup, calls } = pluginStartup(1);
    await dev.mainBuilt(startup);
    await vi.waitFor(() =>
      expect(lines).toContain(
        'Electron exited (code 1); Vite keeps serving http://localhost:5173/. Start Electron again: press e + enter, or save a file under src-main/ or src-preload/.',
      ),
    );
    expect(exit).not.toHaveBeenCalled();
    expect((process as WithElectronApp).electronApp).toBeUndefined();

    // The preload rebuilt while Electron is gone: start it (not a reload of nothing).
    const reload = vi.fn();
    await dev.preloadBuilt(startup, reload);
    expect(reload).not.toHaveBeenCalled();
    expect(calls).toHaveLength(2);
    await vi.waitFor(() => expect((process as WithElectronApp).electronApp).toBeUndefined());
    await dev.startAgain();
    expect(calls).toHaveLength(3);
  });
});

describe('electronExitedLine', () => {
  it('names the code or the signal, the URL, and how to start again (no shortcut outside a terminal)', () => {
    expect(
      electronExitedLine({
        code: null,
        signal: 'SIGSEGV',
        url: 'http://localhost:5173/',
        shortcuts: false,
      }),
    ).toBe(
      'Electron exited (signal SIGSEGV); Vite keeps serving http://localhost:5173/. Start Electron again: save a file under src-main/ or src-preload/.',
    );
  });
});
