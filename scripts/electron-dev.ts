/**
 * The Electron side of `npm run electron:dev` (vite.config.ts, through vite-plugin-electron's
 * `onstart`): when and how Electron is started, and what happens when it stops.
 *
 *   1. Electron's binary, downloaded first with Electron's own installer (scripts/electron-binary.ts);
 *      when that fails, one line says why and Vite keeps serving the renderer.
 *   2. The OS sandbox (scripts/electron-sandbox.ts): started sandboxed where the machine allows it;
 *      where it does not (restricted user namespaces and no setuid chrome-sandbox), one line with the
 *      two fixes, and Electron starts as soon as one is done; `--no-sandbox` only after the explicit
 *      opt-in ELECTRON_DEV_NO_SANDBOX=1, said in a line.
 *   3. Electron exiting (a crash, the window closed, Quit) does not end the dev server, unlike
 *      vite-plugin-electron's default (`electronApp.on('exit', process.exit)`): Vite keeps serving and
 *      one line says how to start Electron again (the `e` shortcut, or rebuilding main or preload).
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { ensureElectronBinary, type ElectronBinary } from './electron-binary.ts';
import { readSandboxFacts, sandboxPlan, type SandboxPlan } from './electron-sandbox.ts';

/** vite-plugin-electron's `startup(argv, spawnOptions)`: spawns Electron as `process.electronApp`. */
export type Startup = (argv?: string[], options?: SpawnOptions) => Promise<unknown>;

type WithElectronApp = NodeJS.Process & { electronApp?: ChildProcess };

/** The line printed when Electron has exited and Vite still serves. */
export function electronExitedLine(options: {
  code: number | null;
  signal: NodeJS.Signals | null;
  url: string;
  /** Whether Vite's keyboard shortcuts work here (a terminal, not CI). */
  shortcuts: boolean;
}): string {
  const how = options.code !== null ? `code ${options.code}` : `signal ${options.signal ?? '?'}`;
  const again = options.shortcuts
    ? 'press e + enter, or save a file under src-main/ or src-preload/'
    : 'save a file under src-main/ or src-preload/';
  return `Electron exited (${how}); Vite keeps serving ${options.url}. Start Electron again: ${again}.`;
}

export interface ElectronDevOptions {
  projectRoot: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** How often a blocked start looks again for a fix (default 2 s). */
  pollMs?: number;
  /** Whether Vite's `e + enter` shortcut is bound (see vite.config.ts). */
  shortcuts?: boolean;
  /** The plan for this executable; tests replace it. Default: the machine's (readSandboxFacts). */
  plan?: (executablePath: string) => SandboxPlan;
}

export interface ElectronDev {
  /** Main was (re)built: start or restart Electron. */
  mainBuilt(startup: Startup): Promise<void>;
  /** The preload was (re)built: reload the window, or start Electron when it is not running. */
  preloadBuilt(startup: Startup, reload: () => void): Promise<void>;
  /** The `e + enter` shortcut: start Electron again with the last startup function. */
  startAgain(): Promise<void>;
}

export function createElectronDev(options: ElectronDevOptions): ElectronDev {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const pollMs = options.pollMs ?? 2000;
  const planFor =
    options.plan ??
    ((executablePath: string) =>
      sandboxPlan(readSandboxFacts(executablePath, { cwd: options.projectRoot, env })));
  /** One download attempt per dev server: main and preload both ask for Electron when built. */
  let binary: Promise<ElectronBinary> | undefined;
  let explained = false;
  let lastStartup: Startup | undefined;
  let queue: Promise<void> = Promise.resolve();

  /**
   * Main and preload finish building in either order, and the first start waits for the download:
   * one start at a time, so the second sees the first one's app (and reloads it) instead of racing it.
   */
  function serially(task: () => Promise<void>): Promise<void> {
    queue = queue.then(task, task);
    return queue;
  }

  const running = () => Boolean((process as WithElectronApp).electronApp);

  async function start(startup: Startup): Promise<void> {
    lastStartup = startup;
    // Asynchronous, bounded download (the plugin's require('electron') would block, unbounded).
    binary ??= ensureElectronBinary({ projectRoot: options.projectRoot, env, log });
    const found = await binary;
    if (!found.found) {
      if (explained) return;
      explained = true;
      const url = env.VITE_DEV_SERVER_URL ?? 'the dev server';
      log(
        `Electron not started; the renderer is still served at ${url}. The same app in your browser: npm run preview. Retry the download: npx install-electron --no`,
      );
      return;
    }

    let plan = planFor(found.executablePath);
    if (plan.kind === 'blocked') {
      log(plan.line);
      if (!plan.waitable) return;
      while (plan.kind === 'blocked') {
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        plan = planFor(found.executablePath);
      }
    }
    if (plan.line) log(plan.line);

    // package.json's `main` (dist/main/main.js) on the project root; no `--no-sandbox` unless planned
    // (the plugin's default argv adds it).
    await startup(['.', ...plan.args], { cwd: options.projectRoot });
    const child = (process as WithElectronApp).electronApp;
    if (!child) return;
    // The plugin ends the dev server with Electron; a restart removes every listener first, so this
    // line is said only when Electron stopped by itself.
    child.removeListener('exit', process.exit);
    child.once('exit', (code, signal) => {
      if ((process as WithElectronApp).electronApp === child)
        (process as WithElectronApp).electronApp = undefined;
      log(
        electronExitedLine({
          code,
          signal,
          url: env.VITE_DEV_SERVER_URL ?? 'the dev server',
          shortcuts: options.shortcuts ?? false,
        }),
      );
    });
  }

  return {
    mainBuilt: (startup) => serially(() => start(startup)),
    preloadBuilt: (startup, reload) =>
      serially(async () => (running() ? reload() : start(startup))),
    startAgain: () =>
      serially(async () => {
        if (running()) log('Electron is already running.');
        else if (lastStartup) await start(lastStartup);
      }),
  };
}
