/**
 * Electron's binary, found and, when missing, fetched the way Electron itself does it.
 *
 * Since Electron 42 the `electron` package has no postinstall: its binary is downloaded the first
 * time Electron is started (`require('electron')`) or by its installer (`npx install-electron --no`,
 * i.e. node_modules/electron/install.js). Every script that needs the binary (electron:dev,
 * test:electron, dist) calls ensureElectronBinary() first, which runs that same installer, so
 * Electron's documented variables keep working as documented (ELECTRON_MIRROR, ELECTRON_CUSTOM_DIR,
 * electron_config_cache, electron_use_remote_checksums, force_no_cache, ELECTRON_OVERRIDE_DIST_PATH),
 * with a bounded wait (ELECTRON_DOWNLOAD_TIMEOUT seconds, default 300) and one line for what happened.
 *
 * findElectronBinary() looks WITHOUT loading node_modules/electron/index.js, which would start the
 * download synchronously and unbounded:
 *
 *   1. ELECTRON_OVERRIDE_DIST_PATH/<name from path.txt, or the platform's default name>
 *   2. node_modules/electron/dist/<name from node_modules/electron/path.txt>
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export type ElectronBinary =
  { found: true; executablePath: string } | { found: false; reason: string };

const NOT_INSTALLED =
  'Electron binary not installed (node_modules/electron/dist missing; `npx install-electron --no` downloads it)';

/** The executable's path inside a dist folder, as electron/install.js writes it to path.txt. */
export function platformExecutableName(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'darwin':
      return 'Electron.app/Contents/MacOS/Electron';
    case 'win32':
      return 'electron.exe';
    default:
      return 'electron';
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findElectronBinary(options: {
  projectRoot: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}): ElectronBinary {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const packageDir = path.join(options.projectRoot, 'node_modules', 'electron');
  const pathFile = path.join(packageDir, 'path.txt');
  const named = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';

  const override = env.ELECTRON_OVERRIDE_DIST_PATH?.trim();
  if (override) {
    const executablePath = path.join(override, named || platformExecutableName(platform));
    return isFile(executablePath)
      ? { found: true, executablePath }
      : {
          found: false,
          reason: `Electron binary not found at ${executablePath} (from ELECTRON_OVERRIDE_DIST_PATH)`,
        };
  }
  // install.js writes path.txt only after unpacking dist/, so a missing path.txt means no binary either.
  if (!named) return { found: false, reason: NOT_INSTALLED };
  const executablePath = path.join(packageDir, 'dist', named);
  return isFile(executablePath)
    ? { found: true, executablePath }
    : { found: false, reason: NOT_INSTALLED };
}

export const DEFAULT_DOWNLOAD_TIMEOUT_SECONDS = 300;

/** ELECTRON_DOWNLOAD_TIMEOUT in seconds (a positive number), else the default. */
export function downloadTimeoutMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.ELECTRON_DOWNLOAD_TIMEOUT);
  return (
    (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_DOWNLOAD_TIMEOUT_SECONDS) * 1000
  );
}

/**
 * Where @electron/get will download from: its mirror setting (npm config or ELECTRON_MIRROR), else
 * GitHub.
 */
export function downloadHost(env: NodeJS.ProcessEnv): string {
  const mirror =
    env.npm_config_electron_mirror ||
    env.NPM_CONFIG_ELECTRON_MIRROR ||
    env.npm_package_config_electron_mirror ||
    env.ELECTRON_MIRROR;
  if (!mirror) return 'github.com';
  try {
    return new URL(mirror).host || mirror;
  } catch {
    return mirror;
  }
}

/**
 * The installer's error in one line: it prints `err.stack`, whose first line is the error itself
 * ("TypeError: fetch failed", "HTTPError: Response code 404 (Not Found) for https://…",
 * "Error: Generated checksum for … did not match expected checksum …").
 */
export function shortInstallerError(output: string): string {
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('at ') && line !== 'Downloading Electron binary...');
  const error =
    lines.find((line) => /^[\w.]*(Error|Exception)\b/.test(line)) ?? lines[0] ?? 'no output';
  return error.length > 240 ? `${error.slice(0, 239)}…` : error;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export interface EnsureOptions {
  projectRoot: string;
  env?: NodeJS.ProcessEnv;
  /** Where the one-line messages go (default: console.log). */
  log?: (line: string) => void;
}

/**
 * The Electron binary, downloaded first with Electron's own installer when it is missing. Resolves
 * (never rejects) with the executable or with a one-line reason naming what went wrong.
 */
export async function ensureElectronBinary(options: EnsureOptions): Promise<ElectronBinary> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const found = findElectronBinary({ projectRoot: options.projectRoot, env });
  // ELECTRON_OVERRIDE_DIST_PATH means "use this build, download nothing" (as in electron/index.js).
  if (found.found || env.ELECTRON_OVERRIDE_DIST_PATH?.trim()) return found;

  const packageDir = path.join(options.projectRoot, 'node_modules', 'electron');
  const installer = path.join(packageDir, 'install.js');
  if (!isFile(installer))
    return {
      found: false,
      reason:
        'The electron package is not installed (node_modules/electron/install.js missing): run npm install',
    };
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const host = downloadHost(env);
  const timeoutMs = downloadTimeoutMs(env);

  log(
    `Electron ${version} is not downloaded yet: downloading it from ${host} with Electron's installer (node_modules/electron/install.js)…`,
  );
  const started = Date.now();
  const outcome = await new Promise<{
    code: number | null;
    output: string;
    timedOut: boolean;
    spawnError?: Error;
  }>((resolve) => {
    const child = spawn(process.execPath, [installer], {
      cwd: packageDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      if (output.length < 64_000) output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (spawnError) => {
      clearTimeout(timer);
      resolve({ code: null, output, timedOut, spawnError });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
  const took = seconds(Date.now() - started);

  let cause: string | undefined;
  if (outcome.timedOut)
    cause = `no answer within ${seconds(timeoutMs)} (ELECTRON_DOWNLOAD_TIMEOUT)`;
  else if (outcome.spawnError) cause = outcome.spawnError.message;
  else if (outcome.code !== 0) cause = shortInstallerError(outcome.output);
  const after = findElectronBinary({ projectRoot: options.projectRoot, env });
  if (!cause && !after.found) cause = after.reason;
  if (cause || !after.found) {
    const reason = `Electron ${version} download from ${host} failed after ${took}: ${cause}`;
    log(reason);
    return { found: false, reason };
  }
  log(
    `Electron ${version} downloaded in ${took}: ${path.relative(options.projectRoot, after.executablePath)}`,
  );
  return after;
}
