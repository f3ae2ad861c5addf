import { fileURLToPath } from 'node:url';
import { defineConfig, type InlineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import electron, { type ElectronOptions } from 'vite-plugin-electron';
import { ensureElectronBinary, type ElectronBinary } from './scripts/electron-binary.ts';

/**
 * Three builds, one command:
 *
 *   renderer  src-renderer            → dist/renderer          (this config)
 *   main      src-main/electron/main  → dist/main/main.js      ESM, every dependency bundled; only
 *                                                               `electron` and Node built-ins external
 *   preload   src-preload/ipc-bridge  → dist/preload/ipc-bridge.cjs   one CommonJS file (sandbox)
 *
 * vite-plugin-electron (1.1, Vite 8 / Rolldown) builds main and preload after the renderer
 * (`vite build`). Under `vite --mode electron` (npm run electron:dev) it builds them in watch mode,
 * starts Electron, restarts it when main changes and reloads the window when the preload changes.
 * Plain `vite` stays a renderer-only dev server (the browser preview). Building never needs the
 * Electron binary; only starting it does: when it is missing, Electron's own installer downloads it
 * first (scripts/electron-binary.ts); when that fails, the dev server says why and keeps serving.
 */
const projectRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig(({ command, mode }) => {
  const dev = command === 'serve';
  const withElectron = command === 'build' || mode === 'electron';

  /** One Node-side build (the plugin adds `configFile: false` and keeps electron + built-ins external). */
  const nodeBuild = (
    outDir: string,
    rolldownOptions: NonNullable<NonNullable<InlineConfig['build']>['rolldownOptions']>,
  ): InlineConfig => ({
    root: projectRoot,
    logLevel: dev ? 'warn' : 'info',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'node22', // Electron 45's Node
      minify: false, // readable stack traces; size does not matter next to Electron itself
      sourcemap: dev ? 'inline' : false,
      reportCompressedSize: false,
      rolldownOptions,
    },
  });

  const main: ElectronOptions = {
    // The plugin makes this a library build: ESM (package.json "type": "module"), file [name].js.
    entry: 'src-main/electron/main.ts',
    onstart: ({ startup }) => serially(() => startElectron(startup)),
    vite: nodeBuild('dist/main', {
      // depd (a dependency of the devstack's Koa) builds functions with eval; it is not ours to change.
      checks: { eval: false },
      output: { chunkFileNames: 'chunks/[name]-[hash].js' },
    }),
  };

  const preload: ElectronOptions = {
    onstart: ({ startup, reload }) =>
      serially(async () => (electronIsRunning() ? reload() : startElectron(startup))),
    vite: nodeBuild('dist/preload', {
      input: { 'ipc-bridge': 'src-preload/ipc-bridge.ts' },
      platform: 'node',
      output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
    }),
  };

  return {
    root: 'src-renderer',
    base: './',
    plugins: [react(), ...(withElectron ? electron([main, preload]) : [])],
    build: {
      outDir: '../dist/renderer',
      emptyOutDir: true,
    },
  };
});

/**
 * Main and preload finish building in either order, and the first start waits for the download:
 * one start at a time, so the second sees the first one's app (and reloads it) instead of racing it.
 */
let queue: Promise<void> = Promise.resolve();
function serially(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task, task);
  return queue;
}

/** One download attempt per dev server: main and preload both ask for Electron when they are built. */
let binary: Promise<ElectronBinary> | undefined;
let explained = false;

type Startup = Parameters<NonNullable<ElectronOptions['onstart']>>[0]['startup'];

/**
 * Starts (or restarts) Electron on the project root, where package.json's `main` points at
 * dist/main/main.js. Unlike the plugin's default argv, no `--no-sandbox`: development runs with the
 * same OS sandbox as production. ELECTRON_DEV_NO_SANDBOX=1 is the escape hatch for Linux machines
 * whose chrome-sandbox helper is not set up.
 */
async function startElectron(startup: Startup): Promise<void> {
  // Asynchronous, bounded download (the plugin's require('electron') would block the dev server, unbounded).
  binary ??= ensureElectronBinary({ projectRoot, log: (line) => console.log(line) });
  const found = await binary;
  if (!found.found) {
    if (explained) return;
    explained = true;
    const url = process.env.VITE_DEV_SERVER_URL ?? 'the dev server';
    console.warn(
      `Electron not started; the renderer is still served at ${url}. The same app in your browser: npm run preview. Retry the download: npx install-electron --no`,
    );
    return;
  }
  const argv = process.env.ELECTRON_DEV_NO_SANDBOX === '1' ? ['.', '--no-sandbox'] : ['.'];
  await startup(argv, { cwd: projectRoot });
}

/** Set by vite-plugin-electron's `startup()` while the Electron child process is alive. */
function electronIsRunning(): boolean {
  return Boolean((process as NodeJS.Process & { electronApp?: unknown }).electronApp);
}
