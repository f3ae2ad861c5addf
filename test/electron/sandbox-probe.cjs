// A preload the Electron suite registers on the app's session for one reload
// (test/electron/desktop-app.ts rendererSandbox): it reports `process.sandboxed` as the renderer's
// preloads see it. Never part of the app (electron-builder.yml packages only dist/).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is a script: require('electron') is its only import
const { ipcRenderer } = require('electron');

ipcRenderer.send('test:sandbox-probe', process.sandboxed);
