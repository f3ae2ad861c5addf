/**
 * npm run test:electron — the Playwright Electron suite (playwright.electron.config.ts).
 *
 * With an Electron binary: builds the app (`vite build`; skip with --no-build), then runs Playwright,
 * inside `xvfb-run -a` on Linux when there is no display. Without one: runs Playwright anyway, which
 * prints the one-line reason and skips every test (exit code 0). Other arguments go to Playwright.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from '../test/electron/electron-binary.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const playwrightArgs = args.filter((arg) => arg !== '--no-build');

function run(command: string, commandArgs: string[]): number {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.error) {
    console.error(`${command}: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

function hasDisplay(): boolean {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

const binary = findElectronBinary({ projectRoot: root });
const playwright = [path.join(root, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', '-c', 'playwright.electron.config.ts', ...playwrightArgs];

if (binary.found && build) {
  const status = run(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build']);
  if (status !== 0) process.exit(status);
}

if (binary.found && !hasDisplay()) {
  // Electron needs a display even for tests; xvfb-run -a picks a free server number.
  const xvfb = spawnSync('xvfb-run', ['--help'], { stdio: 'ignore' });
  if (xvfb.error) {
    console.error('No display (DISPLAY is unset) and xvfb-run is not installed: install xvfb or run under a desktop session.');
    process.exit(1);
  }
  process.exit(run('xvfb-run', ['-a', process.execPath, ...playwright]));
}

process.exit(run(process.execPath, playwright));
