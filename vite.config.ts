import { fileURLToPath } from 'node:url';
import { defineConfig, type InlineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import electron, { type ElectronOptions } from 'vite-plugin-electron';
import { createElectronDev } from './scripts/electron-dev.ts';

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
 * Electron binary; only starting it does. How Electron is started (download first, the OS sandbox
 * or the two fixes for a restricted Linux, Vite serving on when Electron exits, `e + enter` to start
 * it again) is scripts/electron-dev.ts.
 */
const projectRoot = fileURLToPath(new URL('.', import.meta.url));

/** Vite's keyboard shortcuts exist only in a terminal, outside CI (its bindCLIShortcuts rule). */
const shortcuts = Boolean(process.stdin.isTTY) && !process.env.CI;
const electronDev = createElectronDev({ projectRoot, shortcuts });

/** `e + enter` in the dev server's terminal starts Electron again after it exited. */
const startElectronAgain: Plugin = {
  name: 'electron-start-again',
  apply: 'serve',
  configureServer(server) {
    server.httpServer?.once('listening', () =>
      server.bindCLIShortcuts({
        customShortcuts: [
          { key: 'e', description: 'start Electron again', action: () => electronDev.startAgain() },
        ],
      }),
    );
  },
};

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
    onstart: ({ startup }) => electronDev.mainBuilt(startup),
    vite: {
      ...nodeBuild('dist/main', {
        // depd (a dependency of the devstack's Koa) builds functions with eval; it is not ours to
        // change.
        checks: { eval: false },
        output: { chunkFileNames: 'chunks/[name]-[hash].js' },
      }),
      // The key update metadata must be signed with ships inside the app (issue 20): the release
      // job builds with UPDATE_PUBLIC_KEY set (README "Updates"). Public: no secret is built in.
      define: {
        __UPDATE_PUBLIC_KEY__: JSON.stringify(process.env.UPDATE_PUBLIC_KEY?.trim() ?? ''),
      },
    },
  };

  const preload: ElectronOptions = {
    onstart: ({ startup, reload }) => electronDev.preloadBuilt(startup, reload),
    vite: nodeBuild('dist/preload', {
      input: { 'ipc-bridge': 'src-preload/ipc-bridge.ts' },
      platform: 'node',
      output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
    }),
  };

  return {
    root: 'src-renderer',
    base: './',
    plugins: [
      react(),
      ...(withElectron ? electron([main, preload]) : []),
      ...(dev && mode === 'electron' ? [startElectronAgain] : []),
    ],
    build: {
      outDir: '../dist/renderer',
      emptyOutDir: true,
    },
  };
});
