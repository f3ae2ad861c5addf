/**
 * npm run dist — installers for this OS with electron-builder (electron-builder.yml), into release/.
 *
 * 1. `vite build` (the three builds electron-builder puts into app.asar);
 * 2. Electron's binary, downloaded with Electron's own installer when missing (scripts/electron-binary.ts:
 *    ELECTRON_MIRROR and the other documented variables apply, bounded wait, one line);
 * 3. electron-builder with that binary as `electronDist`, so it packages the Electron already on disk
 *    instead of downloading it a second time into its own cache, and drops the default_app.asar that an
 *    unpacked Electron carries (scripts/electron-builder-after-extract.js).
 *
 * Updates: electron-builder.yml publishes to `${env.UPDATE_FEED_URL}`, which electron-builder refuses
 * to expand when the variable is unset. Then this builds with a configuration of its own that extends
 * the one in use with `publish: null` (`feedlessConfig`): the app ships no feed and says so.
 *
 * Building for another OS or architecture (`--win` on Linux, `--arm64` on x64, macOS's arm64 + x64
 * targets, …) or with your own `-c.electronDist` skips step 2: electron-builder downloads that
 * Electron itself. Arguments go to
 * electron-builder (`npm run dist -- --dir`, `-- --publish never`, `-- -c electron-builder.unsigned.yml`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEffectiveBuilderConfig } from './builder-config.ts';
import { ensureElectronBinary } from './electron-binary.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

const PLATFORM_FLAGS: Record<string, NodeJS.Platform> = {
  '--mac': 'darwin',
  '--macos': 'darwin',
  '-m': 'darwin',
  '-o': 'darwin',
  '--win': 'win32',
  '--windows': 'win32',
  '-w': 'win32',
  '--linux': 'linux',
  '-l': 'linux',
};
const ARCH_FLAGS = ['--x64', '--ia32', '--armv7l', '--arm64', '--universal'];

/**
 * Whether these electron-builder arguments build for this machine's OS and architecture only.
 * `configArches`: the architectures the configuration's targets name for this OS (electron-builder.yml
 * builds macOS for arm64 and x64); architecture flags on the command line replace them.
 */
export function buildsForHost(
  cliArgs: string[],
  platform: NodeJS.Platform,
  arch: string,
  configArches: readonly string[] = [],
): boolean {
  if (cliArgs.some((arg) => /^(-c|--config)\.electronDist(=|$)/.test(arg))) return false;
  const platforms = cliArgs.map((arg) => PLATFORM_FLAGS[arg]).filter(Boolean);
  const cliArches = cliArgs.filter((arg) => ARCH_FLAGS.includes(arg)).map((arg) => arg.slice(2));
  const arches = cliArches.length > 0 ? cliArches : configArches;
  return platforms.every((p) => p === platform) && arches.every((a) => a === arch);
}

const PLATFORM_KEYS: Partial<Record<NodeJS.Platform, string>> = {
  darwin: 'mac',
  win32: 'win',
  linux: 'linux',
};

/** The architectures named by a configuration's targets for `platform` (none named: the host's). */
export function configuredArches(
  config: Record<string, unknown>,
  platform: NodeJS.Platform,
): string[] {
  const key = PLATFORM_KEYS[platform];
  const target = key ? (config[key] as { target?: unknown } | undefined)?.target : undefined;
  const entries = Array.isArray(target) ? target : target ? [target] : [];
  // Each once: the dmg and the zip name the same two.
  return [
    ...new Set(
      entries.flatMap((entry) => {
        const arch =
          typeof entry === 'object' && entry ? (entry as { arch?: unknown }).arch : undefined;
        return (Array.isArray(arch) ? arch : arch ? [arch] : []).map(String);
      }),
    ),
  ];
}

/** The configuration file named by `-c <file>` / `--config <file>` / `--config=<file>`, if any. */
export function configFileArgument(cliArgs: string[]): string | null {
  for (const [i, arg] of cliArgs.entries()) {
    if (arg === '-c' || arg === '--config') return cliArgs[i + 1] ?? null;
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return null;
}

/**
 * The arguments with `-c <file>` / `--config <file>` / `--config=<file>` (or electron-builder.yml when
 * none names one) replaced by `--config <feedless>`: a file that extends it and sets `publish: null`.
 */
export function feedlessConfig(
  cliArgs: string[],
  projectRoot: string,
  folder: string,
): { args: string[]; file: string } {
  const named = configFileArgument(cliArgs);
  const base = path.resolve(projectRoot, named ?? 'electron-builder.yml');
  const file = path.join(folder, 'electron-builder.no-feed.yml');
  writeFileSync(
    file,
    `# Written by scripts/dist.ts: UPDATE_FEED_URL is not set, so this build has no update feed.
` +
      `extends: ${JSON.stringify(base)}
publish: null
`,
  );
  const args: string[] = [];
  for (let i = 0; i < cliArgs.length; i++) {
    const arg = cliArgs[i]!;
    if (arg === '-c' || arg === '--config') i++;
    else if (!arg.startsWith('--config=')) args.push(arg);
  }
  return { args: [...args, '--config', file], file };
}

function run(command: string, commandArgs: string[]): number {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.error) {
    console.error(`${command}: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

if (import.meta.filename === process.argv[1]) {
  const built = run(process.execPath, [
    path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
  ]);
  if (built !== 0) process.exit(built);

  const builderArgs = process.env.UPDATE_FEED_URL?.trim()
    ? [...args]
    : feedlessConfig(args, root, mkdtempSync(path.join(os.tmpdir(), 'dist-config-'))).args;
  const config = await loadEffectiveBuilderConfig(root, configFileArgument(builderArgs));
  if (
    buildsForHost(args, process.platform, process.arch, configuredArches(config, process.platform))
  ) {
    const binary = await ensureElectronBinary({ projectRoot: root });
    if (!binary.found) {
      console.error(`npm run dist: cannot package without Electron for this OS. ${binary.reason}`);
      process.exit(1);
    }
    // The folder holding the executable: dist/ (dist/Electron.app/… on macOS), or
    // ELECTRON_OVERRIDE_DIST_PATH.
    const distDir =
      process.env.ELECTRON_OVERRIDE_DIST_PATH?.trim() ||
      path.join(root, 'node_modules', 'electron', 'dist');
    builderArgs.push(
      `--config.electronDist=${distDir}`,
      '--config.afterExtract=./scripts/electron-builder-after-extract.js',
    );
  }
  process.exit(
    run(process.execPath, [
      path.join(root, 'node_modules', 'electron-builder', 'cli.js'),
      ...builderArgs,
    ]),
  );
}
