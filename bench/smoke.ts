/**
 * `npm run bench:smoke`: every benchmark, in quick mode, so a benchmark that stopped working fails
 * `npm test` instead of rotting until someone wants its figures.
 *
 * The benchmarks are the `bench:*` scripts of package.json, read at run time (a benchmark added
 * later is included without touching this file), run one after another through npm with
 * `BENCH_QUICK=1` (a handful of samples, no warm-up, no figure asserted; see bench/support.ts).
 * Each must exit 0 and end its stdout with exactly one JSON line naming it (`{"bench": "<name>"}`);
 * one that cannot run here says why in that line (`"skipped": "<reason>"`) and still exits 0.
 * The lines are collected, with the commit and the machine, into bench/latest.json (git-ignored), so
 * anyone can compare figures across commits. `--full` runs every benchmark in full instead.
 *
 * Run: npm run bench:smoke [-- --full]   (starts devstacks and Chromium: under the heavy-test lock)
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { printTable } from './support.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
const LATEST = fileURLToPath(new URL('./latest.json', import.meta.url));
const SELF = 'bench:smoke';
const full = process.argv.includes('--full');
/** A quick run that takes this long is broken (hung), not slow. */
const TIMEOUT_MS = (full ? 60 : 5) * 60_000;

/** The `bench:*` scripts of package.json, in its order, without this one. */
export function benchScripts(packageJson: { scripts?: Record<string, string> }): string[] {
  return Object.keys(packageJson.scripts ?? {}).filter(
    (name) => name.startsWith('bench:') && name !== SELF,
  );
}

export type Outcome =
  | { status: 'ok'; result: Record<string, unknown> }
  | { status: 'skipped'; reason: string; result: Record<string, unknown> }
  | { status: 'failed'; reason: string };

/**
 * What a benchmark's run says: it exited 0 and its stdout ends with exactly one JSON object line
 * whose `bench` is the script's name after `bench:`; `skipped` in it means it could not run here.
 */
export function judge(script: string, exit: number | string, stdout: string): Outcome {
  if (exit !== 0) return { status: 'failed', reason: `exited with ${exit}` };
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  const json = lines.filter((line) => line.trimStart().startsWith('{'));
  if (json.length !== 1)
    return {
      status: 'failed',
      reason: `printed ${json.length} JSON lines on stdout, expected exactly one`,
    };
  if (lines.at(-1) !== json[0])
    return { status: 'failed', reason: 'its JSON line is not the last line of its stdout' };
  let result: unknown;
  try {
    result = JSON.parse(json[0]!);
  } catch (error) {
    return { status: 'failed', reason: `its last line is not JSON: ${(error as Error).message}` };
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result))
    return { status: 'failed', reason: 'its JSON line is not an object' };
  const named = (result as Record<string, unknown>)['bench'];
  const expected = script.slice('bench:'.length);
  if (named !== expected)
    return {
      status: 'failed',
      reason: `its JSON line names bench ${JSON.stringify(named)}, expected "${expected}"`,
    };
  const skipped = (result as Record<string, unknown>)['skipped'];
  if (typeof skipped === 'string' && skipped !== '')
    return { status: 'skipped', reason: skipped, result: result as Record<string, unknown> };
  return { status: 'ok', result: result as Record<string, unknown> };
}

/**
 * Runs `npm run <script>` (stdout shown and kept, stderr shown), killing its process group after
 * the timeout.
 */
function run(script: string): Promise<{ exit: number | string; stdout: string }> {
  const env = { ...process.env };
  if (full) delete env['BENCH_QUICK'];
  else env['BENCH_QUICK'] = '1';
  // The npm that runs us (npm_execpath), else the one on PATH.
  const npmCli = process.env['npm_execpath'];
  const [command, args] = npmCli?.endsWith('.js')
    ? [process.execPath, [npmCli, 'run', '--silent', script]]
    : ['npm', ['run', '--silent', script]];
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ exit: error.message, stdout });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        exit: timedOut ? `no end within ${TIMEOUT_MS / 60_000} min` : (code ?? `signal ${signal}`),
        stdout,
      });
    });
  });
}

function commit(): { commit: string | null; dirty: boolean | null } {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    return { commit: head.trim(), dirty: status.trim() !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
}

async function main(): Promise<void> {
  const packageJson = JSON.parse(readFileSync(`${PROJECT_ROOT}package.json`, 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const scripts = benchScripts(packageJson);
  const mode = full ? 'full' : 'quick (BENCH_QUICK=1)';
  console.log(`bench:smoke: ${scripts.length} benchmarks, ${mode}: ${scripts.join(', ')}\n`);
  const started = performance.now();
  const rows: string[][] = [];
  const results: Record<string, Record<string, unknown>> = {};
  const failures: Record<string, string> = {};
  const seconds: Record<string, number> = {};
  for (const script of scripts) {
    console.log(`\n=== ${script} ===`);
    const began = performance.now();
    const { exit, stdout } = await run(script);
    const took = (performance.now() - began) / 1000;
    seconds[script] = Math.round(took * 10) / 10;
    const outcome = judge(script, exit, stdout);
    if (outcome.status === 'failed') failures[script] = outcome.reason;
    else results[script] = outcome.result;
    const said =
      outcome.status === 'ok' ? 'ok' : `${outcome.status.toUpperCase()}: ${outcome.reason}`;
    console.log(`=== ${script}: ${said} (${took.toFixed(1)} s) ===`);
    rows.push([script, said, `${took.toFixed(1)} s`]);
  }
  const total = (performance.now() - started) / 1000;
  writeFileSync(
    LATEST,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        ...commit(),
        mode: full ? 'full' : 'quick',
        machine: {
          node: process.version,
          platform: `${os.platform()} ${os.release()}`,
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model ?? 'unknown',
          memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
          loadAverage: os.loadavg()[0],
        },
        seconds,
        results,
        failures,
      },
      null,
      2,
    )}\n`,
  );
  console.log(
    `\nbench:smoke (${mode}), ${total.toFixed(1)} s in all; results in bench/latest.json\n`,
  );
  printTable(['benchmark', 'outcome', 'time'], rows);
  const failed = Object.keys(failures);
  if (failed.length > 0) {
    console.error(`\nbench:smoke: ${failed.length} benchmark(s) failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
