/**
 * Figures for getting and packaging Electron (issue 7's Measure), on a fresh copy of the project
 * (test/support/stand-in-electron.ts: the project's files, node_modules linked, an electron package
 * that never downloaded anything). One run of each, since the machines are shared; prints figures and
 * asserts only that each step worked.
 *
 *   1. electron:dev → launch: from spawning `npm run electron:dev` to the stand-in Electron (served by a
 *      local mirror, ELECTRON_MIRROR on 127.0.0.1) recording its start, download included.
 *   2. Unreachable: from spawning `npm run electron:dev` with the mirror's port closed to the fallback
 *      line, and the renderer answering.
 *   3. Preload bundle: dist/preload/ipc-bridge.cjs of that copy's build.
 *   4. Offline packaging: electron-builder --dir --linux on a stand-in electronDist (after the build),
 *      then scripts/check-package.ts's asar list and fuses.
 *
 * Run: npm run bench:electron (BENCH_QUICK=1 changes nothing: it is one run of each already).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { checkPackage } from '../scripts/check-package.ts';
import { feedlessConfig } from '../scripts/dist.ts';
import { closedPort } from '../test/support/ports.ts';
import {
  freshProjectCopy,
  runElectronDev,
  serveMirror,
  standInElectronDist,
  standInRelease,
  waitFor,
} from '../test/support/stand-in-electron.ts';
import { printResult, printTable, round, runBench } from './support.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
const work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'bench-electron-')));
const project = path.join(work, 'project');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      !/^(electron_|npm_config_electron_|npm_package_config_electron_|ELECTRON_|VITE_DEV_SERVER_URL$)/i.test(
        name,
      )
    )
      env[name] = value;
  }
  return { ...env, electron_config_cache: path.join(work, 'electron-cache'), ...extra };
}

async function main(): Promise<void> {
  if (process.platform === 'win32')
    throw new Error('the stand-in Electron is a shell script: run this on Linux or macOS');
  const rows: string[][] = [];
  const figures: Record<string, number | string | undefined> = {};
  freshProjectCopy(PROJECT_ROOT, project);
  const version = (
    JSON.parse(
      readFileSync(path.join(project, 'node_modules', 'electron', 'package.json'), 'utf8'),
    ) as { version: string }
  ).version;

  // 1. Download from a local mirror and launch.
  const mirror = await serveMirror(standInRelease(version));
  const record = path.join(work, 'launch.txt');
  let started = performance.now();
  const dev = runElectronDev(
    project,
    userEnv({
      ELECTRON_MIRROR: mirror.url,
      electron_use_remote_checksums: '1',
      STAND_IN_ELECTRON_RECORD: record,
      // The stand-in has no sandbox to start: never wait for a sandbox fix (root, restricted kernels).
      ELECTRON_DEV_NO_SANDBOX: '1',
    }),
    await closedPort(),
  );
  try {
    await waitFor(
      () => existsSync(record),
      120_000,
      () => `the stand-in to start:\n${dev.output()}`,
    );
    const launch = performance.now() - started;
    rows.push([
      'electron:dev → Electron started (download from a local mirror included)',
      seconds(launch),
    ]);
    figures['devLaunchSeconds'] = round(launch / 1000, 1);
    const downloaded = /downloaded in (\d+\.\d) s/.exec(dev.output());
    if (downloaded?.[1]) {
      rows.push(['  of which the download and unpacking (as printed)', `${downloaded[1]} s`]);
      figures['downloadSeconds'] = Number(downloaded[1]);
    }
    // The dev server outlives Electron (scripts/electron-dev.ts): wait for its line, then stop it.
    await waitFor(
      () => dev.output().includes('Electron exited'),
      30_000,
      () => `the exit line:\n${dev.output()}`,
    );
  } finally {
    dev.stop();
    await mirror.close();
  }

  // 2. Unreachable mirror.
  rmSync(path.join(project, 'node_modules', 'electron', 'dist'), { recursive: true, force: true });
  rmSync(path.join(project, 'node_modules', 'electron', 'path.txt'), { force: true });
  const port = await closedPort();
  started = performance.now();
  const offline = runElectronDev(
    project,
    userEnv({ ELECTRON_MIRROR: `http://127.0.0.1:${await closedPort()}/` }),
    port,
  );
  try {
    await waitFor(
      () => offline.output().includes('Electron not started'),
      60_000,
      () => `the fallback line:\n${offline.output()}`,
    );
    const fallback = performance.now() - started;
    const page = await fetch(`http://127.0.0.1:${port}/`);
    if (page.status !== 200) throw new Error(`the renderer answered ${page.status}`);
    rows.push([
      'electron:dev, mirror unreachable → fallback line, renderer served',
      seconds(fallback),
    ]);
    figures['unreachableFallbackSeconds'] = round(fallback / 1000, 1);
  } finally {
    offline.stop();
  }

  // 3 and 4. Build, then package offline.
  const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build'], {
    cwd: project,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}${build.stderr}`);
  const preloadBytes = statSync(path.join(project, 'dist', 'preload', 'ipc-bridge.cjs')).size;
  rows.push([
    'preload bundle (dist/preload/ipc-bridge.cjs)',
    `${preloadBytes.toLocaleString('en-US')} B`,
  ]);
  figures['preloadBytes'] = preloadBytes;
  standInElectronDist(path.join(work, 'electron-dist'));
  started = performance.now();
  // As `npm run dist` builds without UPDATE_FEED_URL: electron-builder.yml's publish URL names that
  // variable, so a build without a feed gets scripts/dist.ts's feedless config (`publish: null`).
  const builderArgs = process.env.UPDATE_FEED_URL?.trim()
    ? []
    : feedlessConfig([], project, mkdtempSync(path.join(work, 'config-'))).args;
  const pack = spawnSync(
    process.execPath,
    [
      'node_modules/electron-builder/cli.js',
      '--dir',
      '--linux',
      '--x64',
      '--publish',
      'never',
      ...builderArgs,
      `--config.electronDist=${path.join(work, 'electron-dist')}`,
      '--config.afterExtract=./scripts/electron-builder-after-extract.js',
      `--config.directories.output=${path.join(work, 'release')}`,
    ],
    {
      cwd: project,
      encoding: 'utf8',
      env: {
        ...process.env,
        ELECTRON_BUILDER_CACHE: path.join(work, 'builder-cache'),
        ELECTRON_MIRROR: 'http://127.0.0.1:9/',
      },
    },
  );
  if (pack.status !== 0) throw new Error(`electron-builder failed:\n${pack.stdout}${pack.stderr}`);
  const packaging = performance.now() - started;
  rows.push(['electron-builder --dir --linux, offline (stand-in Electron)', seconds(packaging)]);
  figures['offlinePackageSeconds'] = round(packaging / 1000, 1);

  const report = await checkPackage({
    projectRoot: project,
    appOutDir: path.join(work, 'release', 'linux-unpacked'),
    platform: 'linux',
  });
  if (report.problems.length) throw new Error(`package check: ${report.problems.join('; ')}`);
  printTable(['measure', 'value'], rows);
  console.log(
    `\napp.asar (${report.asarFiles.length} files):\n${report.asarFiles.map((file) => `  ${file}`).join('\n')}`,
  );
  console.log(
    `fuses: ${Object.entries(report.fuses)
      .map(([name, state]) => `${name}=${state}`)
      .join(', ')}`,
  );
  printResult({
    bench: 'electron',
    electron: version,
    ...figures,
    asarFiles: report.asarFiles.length,
    fuses: report.fuses,
  });
}

await runBench('bench:electron', main, async () => {
  rmSync(work, { recursive: true, force: true });
});
