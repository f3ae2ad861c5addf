/**
 * Finds the Electron executable the way `node_modules/electron/index.js` does, WITHOUT loading that
 * module: requiring it starts a download when the binary is missing, and its download host is
 * unreachable on the machines this project is built on.
 *
 *   1. ELECTRON_OVERRIDE_DIST_PATH/<name from path.txt, or the platform's default name>
 *   2. node_modules/electron/dist/<name from node_modules/electron/path.txt>
 *
 * When neither exists the Electron tests skip with `reason` (one line).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export type ElectronBinary = { found: true; executablePath: string } | { found: false; reason: string };

const SKIPPED = 'Electron tests skipped';
const NOT_INSTALLED = `Electron binary not installed (node_modules/electron/dist missing; its download host is unreachable here) — ${SKIPPED}`;

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
      : { found: false, reason: `Electron binary not found at ${executablePath} (from ELECTRON_OVERRIDE_DIST_PATH) — ${SKIPPED}` };
  }
  // install.js writes path.txt only after unpacking dist/, so a missing path.txt means no binary either.
  if (!named) return { found: false, reason: NOT_INSTALLED };
  const executablePath = path.join(packageDir, 'dist', named);
  return isFile(executablePath) ? { found: true, executablePath } : { found: false, reason: NOT_INSTALLED };
}
