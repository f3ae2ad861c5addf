/**
 * Electron's binary, the way a user gets it: a fresh install has no binary (since Electron 42 the
 * package downloads it on first use), and `npm run electron:dev` fetches it with Electron's own
 * installer before starting it. Proven against a stand-in release served from a local mirror
 * (ELECTRON_MIRROR on 127.0.0.1, Electron's archive layout, SHASUMS256.txt), on a fresh copy of the
 * project, and with a mirror that is not there at all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureElectronBinary, findElectronBinary } from '../../scripts/electron-binary.ts';
import { readSandboxFacts, sandboxPlan } from '../../scripts/electron-sandbox.ts';
import { closedPort } from '../support/ports.ts';
import {
  electronZipName,
  freshProjectCopy,
  runElectronDev,
  serveMirror,
  standInRelease,
  waitFor,
  type ElectronDevRun,
  type Mirror,
} from '../support/stand-in-electron.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (
  JSON.parse(
    readFileSync(path.join(PROJECT_ROOT, 'node_modules', 'electron', 'package.json'), 'utf8'),
  ) as { version: string }
).version;
// The stand-in executable is a shell script.
const canRun = process.platform !== 'win32';

let work: string;
let project: string;
const mirrors: Mirror[] = [];
const children: ChildProcess[] = [];
const runs: ElectronDevRun[] = [];

/** The environment of a user who set nothing Electron-specific, plus `extra`. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      /^(electron_|npm_config_electron_|npm_package_config_electron_|ELECTRON_|VITE_DEV_SERVER_URL$)/i.test(
        name,
      )
    )
      continue;
    env[name] = value;
  }
  return { ...env, electron_config_cache: path.join(work, 'electron-cache'), ...extra };
}

/** `npm run electron:dev` in the fresh project; stopped after each test. */
function electronDev(env: NodeJS.ProcessEnv, port: number): ElectronDevRun {
  const run = runElectronDev(project, env, port);
  runs.push(run);
  return run;
}

beforeAll(() => {
  work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'electron-download-')));
  project = path.join(work, 'project');
  if (canRun) freshProjectCopy(PROJECT_ROOT, project);
});

afterEach(async () => {
  for (const run of runs.splice(0)) run.stop();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
  for (const mirror of mirrors.splice(0)) await mirror.close();
  // Each test starts from a package that has never downloaded anything.
  rmSync(path.join(project, 'node_modules', 'electron', 'dist'), { recursive: true, force: true });
  rmSync(path.join(project, 'node_modules', 'electron', 'path.txt'), { force: true });
  rmSync(path.join(work, 'electron-cache'), { recursive: true, force: true });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!canRun)('Electron binary download (stand-in release on a local mirror)', () => {
  it('a fresh install has no binary: npm install downloads nothing', () => {
    expect(findElectronBinary({ projectRoot: project, env: {} }).found).toBe(false);
  });

  it('npm run electron:dev downloads Electron through its installer and starts it on the project root', async () => {
    const mirror = await serveMirror(standInRelease(VERSION));
    mirrors.push(mirror);
    const record = path.join(work, 'launch.txt');
    const env = userEnv({
      ELECTRON_MIRROR: mirror.url,
      electron_use_remote_checksums: '1',
      STAND_IN_ELECTRON_RECORD: record,
      // Never blocked waiting for a sandbox fix (as root, or on a restricted kernel): the opt-in.
      ELECTRON_DEV_NO_SANDBOX: '1',
    });
    const port = await closedPort();
    const dev = electronDev(env, port);

    // The stand-in exits at once; the dev server does not end with it.
    await waitFor(
      () => dev.output().includes('Electron exited (code 0)'),
      60_000,
      () => `Electron's exit line; output so far:\n${dev.output()}`,
    );
    expect(dev.child.exitCode).toBeNull();

    const [executable, cwd, ...args] = readFileSync(record, 'utf8').trimEnd().split('\n');
    expect(executable).toBe(path.join(project, 'node_modules', 'electron', 'dist', 'electron'));
    expect(cwd).toBe(project);
    // package.json's main; --no-sandbox only where this machine cannot sandbox (the opt-in is set).
    const plan = sandboxPlan(readSandboxFacts(executable ?? '', { cwd: project, env }));
    expect(args).toEqual(['.', ...(plan.kind === 'blocked' ? [] : plan.args)]);
    if (plan.kind !== 'blocked' && plan.line) expect(dev.output()).toContain(plan.line);
    expect(mirror.requests).toEqual([
      `/v${VERSION}/${electronZipName(VERSION)}`,
      `/v${VERSION}/SHASUMS256.txt`,
    ]);
    expect(dev.output()).toContain(
      `Electron ${VERSION} is not downloaded yet: downloading it from ${new URL(mirror.url).host}`,
    );
    expect(dev.output()).toMatch(
      new RegExp(
        `Electron ${VERSION.replaceAll('.', '\\.')} downloaded in \\d+\\.\\d s: node_modules/electron/dist/electron`,
      ),
    );
  });

  it('when Electron exits with an error, Vite keeps serving, says how to start Electron again, and a rebuild of main starts it', async () => {
    const mirror = await serveMirror(standInRelease(VERSION));
    mirrors.push(mirror);
    const record = path.join(work, 'launch.txt');
    const port = await closedPort();
    const dev = electronDev(
      userEnv({
        ELECTRON_MIRROR: mirror.url,
        electron_use_remote_checksums: '1',
        STAND_IN_ELECTRON_RECORD: record,
        STAND_IN_ELECTRON_EXIT_CODE: '1',
        ELECTRON_DEV_NO_SANDBOX: '1',
      }),
      port,
    );
    const exitedLine = `Electron exited (code 1); Vite keeps serving http://localhost:${port}/. Start Electron again: save a file under src-main/ or src-preload/.`;
    await waitFor(
      () => dev.output().includes(exitedLine),
      40_000,
      () => `the exit line; output so far:\n${dev.output()}`,
    );
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(dev.child.exitCode).toBeNull();

    // As the line says: saving a main-process file rebuilds main, which starts Electron again.
    rmSync(record);
    const mainFile = path.join(project, 'src-main', 'electron', 'main.ts');
    const source = readFileSync(mainFile, 'utf8');
    try {
      writeFileSync(mainFile, `${source}\n// touched by the test\n`);
      await waitFor(
        () => existsSync(record) && dev.output().split(exitedLine).length === 3,
        40_000,
        () => `a second start; output so far:\n${dev.output()}`,
      );
    } finally {
      writeFileSync(mainFile, source);
    }
    expect(dev.child.exitCode).toBeNull();
  }, 120_000);

  it('with the mirror unreachable, electron:dev says why in one line and keeps serving the renderer, within seconds', async () => {
    const started = Date.now();
    const port = await closedPort();
    const mirrorPort = await closedPort();
    const dev = electronDev(userEnv({ ELECTRON_MIRROR: `http://127.0.0.1:${mirrorPort}/` }), port);

    await waitFor(
      () => dev.output().includes('Electron not started'),
      30_000,
      () => `the fallback message; output so far:\n${dev.output()}`,
    );
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(Date.now() - started).toBeLessThan(30_000);

    const lines = dev.output().split('\n');
    const failure = lines.find((line) =>
      line.startsWith(`Electron ${VERSION} download from 127.0.0.1:${mirrorPort} failed after`),
    );
    expect(failure, dev.output()).toMatch(/failed after \d+\.\d s: TypeError: fetch failed$/);
    expect(lines.find((line) => line.startsWith('Electron not started'))).toBe(
      `Electron not started; the renderer is still served at http://localhost:${port}/. The same app in your browser: npm run preview. Retry the download: npx install-electron --no`,
    );
    expect(dev.output()).not.toMatch(/^\s+at /m); // no stack trace
    expect(dev.child.exitCode).toBeNull();
  });

  /** `npm run test:electron` in the fresh project with the mirror's port closed, plus `extra` env. */
  async function testElectronOffline(extra: Record<string, string>) {
    const mirrorPort = await closedPort();
    const run = spawn(process.execPath, ['scripts/test-electron.ts'], {
      cwd: project,
      env: userEnv({ ELECTRON_MIRROR: `http://127.0.0.1:${mirrorPort}/`, ...extra }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(run);
    let output = '';
    run.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    run.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
    return {
      code,
      output,
      failure: `Electron ${VERSION} download from 127.0.0.1:${mirrorPort} failed after`,
    };
  }

  it.each([{ CI: '' }, { CI: 'true' }])(
    'npm run test:electron (CI=$CI) tries the download before it skips, and every journey says why',
    async (ci) => {
      const { code, output, failure } = await testElectronOffline({
        ...ci,
        REQUIRE_ELECTRON: '',
      });
      expect(code, output).toBe(0);
      expect(output.indexOf(`Electron ${VERSION} is not downloaded yet`)).toBeGreaterThanOrEqual(0);
      expect(output).toContain(`Electron tests skipped: ${failure}`);
      expect(output).toMatch(/^\s*\d+ skipped$/m);
      expect(output).not.toMatch(/^\s*\d+ (passed|failed|flaky)$/m);
    },
  );

  it('with REQUIRE_ELECTRON=1 a failed download fails npm run test:electron with the download’s line', async () => {
    const { code, output, failure } = await testElectronOffline({ REQUIRE_ELECTRON: '1' });
    expect(code, output).toBe(1);
    expect(output).toMatch(
      new RegExp(
        `^REQUIRE_ELECTRON=1: the Electron suite must run here, and cannot\\. ${failure.replaceAll('.', '\\.')} \\d+\\.\\d s: TypeError: fetch failed$`,
        'm',
      ),
    );
    expect(output).not.toMatch(/skipped/);
  });

  it('a download that does not match SHASUMS256.txt is refused, and said so in one line', async () => {
    const mirror = await serveMirror(standInRelease(VERSION, '0'.repeat(64)));
    mirrors.push(mirror);
    const lines: string[] = [];
    const binary = await ensureElectronBinary({
      projectRoot: project,
      env: userEnv({ ELECTRON_MIRROR: mirror.url, electron_use_remote_checksums: '1' }),
      log: (line) => lines.push(line),
    });
    expect(binary.found).toBe(false);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/failed after \d+\.\d s: .*checksum/i);
    expect(findElectronBinary({ projectRoot: project, env: {} }).found).toBe(false);
  });

  it('a download that takes longer than ELECTRON_DOWNLOAD_TIMEOUT is abandoned', async () => {
    // A mirror that accepts the connection and never answers.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const lines: string[] = [];
      const started = Date.now();
      const binary = await ensureElectronBinary({
        projectRoot: project,
        env: userEnv({
          ELECTRON_MIRROR: `http://127.0.0.1:${port}/`,
          ELECTRON_DOWNLOAD_TIMEOUT: '2',
        }),
        log: (line) => lines.push(line),
      });
      expect(binary.found).toBe(false);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(lines[1]).toMatch(
        /failed after \d+\.\d s: no answer within 2\.0 s \(ELECTRON_DOWNLOAD_TIMEOUT\)$/,
      );
    } finally {
      silent.close();
    }
  });
});
