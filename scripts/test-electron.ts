/**
 * npm run test:electron — the Playwright Electron suite (playwright.electron.config.ts).
 *
 * First makes sure Electron's binary is there (scripts/electron-binary.ts: Electron's own installer
 * when it is missing, bounded wait). With it: builds the app (`vite build`; skip with --no-build),
 * then runs Playwright, inside `xvfb-run -a` on Linux when there is no display. Without it: runs
 * Playwright anyway with the download's one-line failure as ELECTRON_SKIP_REASON, which every test
 * skips with (exit code 0), unless REQUIRE_ELECTRON=1 says the suite must run here (the GitHub
 * workflow's test job; not implied by CI, since .ci/run's machines cannot download Electron): then it
 * fails with that line (exit code 1). Other arguments go to Playwright.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureElectronBinary } from './electron-binary.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const playwrightArgs = args.filter((arg) => arg !== '--no-build');

function run(command: string, commandArgs: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env });
  if (result.error) {
    console.error(`${command}: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

function hasDisplay(): boolean {
  return (
    process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
  );
}

const binary = await ensureElectronBinary({ projectRoot: root });
const playwright = [
  path.join(root, 'node_modules', '@playwright', 'test', 'cli.js'),
  'test',
  '-c',
  'playwright.electron.config.ts',
  ...playwrightArgs,
];

if (!binary.found && process.env.REQUIRE_ELECTRON === '1') {
  console.error(
    `REQUIRE_ELECTRON=1: the Electron suite must run here, and cannot. ${binary.reason}`,
  );
  process.exit(1);
}

if (!binary.found) {
  process.exit(
    run(process.execPath, playwright, { ...process.env, ELECTRON_SKIP_REASON: binary.reason }),
  );
}

if (build) {
  const status = run(process.execPath, [
    path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
  ]);
  if (status !== 0) process.exit(status);
}

if (!hasDisplay()) {
  // Electron needs a display even for tests; xvfb-run -a picks a free server number.
  const xvfb = spawnSync('xvfb-run', ['--help'], { stdio: 'ignore' });
  if (xvfb.error) {
    console.error(
      'No display (DISPLAY is unset) and xvfb-run is not installed: install xvfb (apt-get install xvfb) or run under a desktop session.',
    );
    process.exit(1);
  }
  process.exit(run('xvfb-run', ['-a', process.execPath, ...playwright]));
}

process.exit(run(process.execPath, playwright));
