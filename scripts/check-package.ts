/**
 * Checks what electron-builder packaged, on an unpacked app folder (`release/linux-unpacked`,
 * `release/win-unpacked`, `release/mac` or `release/mac-arm64`: the folder holding the .app), the
 * same way here (on a stand-in Electron, test/integration/package.test.ts) and in CI (on the real
 * installers' folders):
 *
 *   - app.asar holds exactly the three builds and package.json: every file of dist/main, dist/preload
 *     and dist/renderer but source maps, nothing else (no sources, tests, node_modules);
 *   - the packaged package.json starts dist/main/main.js and carries productName (Electron's app.name:
 *     the About panel, the menu, the macOS keychain prompt);
 *   - main's bundle handles --smoke-test (the workflow then launches the app with it);
 *   - no default_app.asar and no app/ folder beside app.asar;
 *   - the executable is where its name says, and its fuses read back as electron-builder.yml sets them;
 *   - (Linux, with --desktop-file) the .desktop entry is named after package.json's desktopName and
 *     starts this executable with this icon; (with --appimage-desktop-file) the AppImage's entry
 *     starts AppRun without --no-sandbox;
 *   - the configuration electron-builder built with (`--config`, as given to `npm run dist -- -c`),
 *     evaluated as electron-builder does: the NSIS include whose customUnInstall removes every
 *     app-link scheme from the registry, no --no-sandbox for the AppImage, macOS for arm64 and x64.
 *
 *   node scripts/check-package.ts <unpacked folder> [--platform linux|win32|darwin]
 *     [--config <file>] [--desktop-file <file>] [--appimage-desktop-file <file>]
 *
 * Prints the asar's file list and the fuses; exits 1 listing every problem.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMOKE_TEST_FLAG } from '../src-main/electron/smoke-test.ts';
import {
  asarModule,
  fuseWireFor,
  fusesModule,
  loadBuilderConfig,
  loadEffectiveBuilderConfig,
  type BuilderConfig,
} from './builder-config.ts';

export interface PackageReport {
  problems: string[];
  asarFiles: string[];
  executable: string;
  /** Fuse name → ENABLE / DISABLE / … as read from the executable. */
  fuses: Record<string, string>;
}

function filesUnder(root: string, dir: string): string[] {
  const full = path.join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'),
    );
}

/** What app.asar must hold: the builds in dist/ (no source maps) and package.json. */
export function expectedAsarFiles(projectRoot: string): string[] {
  const builds = ['dist/main', 'dist/preload', 'dist/renderer'].flatMap((dir) =>
    filesUnder(projectRoot, dir),
  );
  return [...builds.filter((file) => !file.endsWith('.map')), 'package.json'].sort();
}

/** What builder-effective-config.yaml must say, and the NSIS include it names, as problems. */
export function effectiveConfigProblems(
  effective: BuilderConfig & Record<string, unknown>,
  projectRoot: string,
): string[] {
  const problems: string[] = [];
  const nsis = (effective.nsis ?? {}) as { include?: string };
  const schemes = ((effective.protocols ?? []) as { schemes?: string[] }[]).flatMap(
    (protocol) => protocol.schemes ?? [],
  );
  if (nsis.include !== 'build/installer.nsh') {
    problems.push(`nsis.include is ${nsis.include ?? 'unset'}, not build/installer.nsh`);
  } else {
    const include = path.join(projectRoot, nsis.include);
    const text = existsSync(include) ? readFileSync(include, 'utf8') : '';
    const macro = /!macro customUnInstall\b([\s\S]*?)!macroend/.exec(text)?.[1] ?? '';
    if (!macro) problems.push(`${nsis.include} has no customUnInstall macro`);
    for (const scheme of schemes) {
      if (!macro.includes(`DeleteRegKey HKCU "Software\\Classes\\${scheme}"`))
        problems.push(`the NSIS uninstaller leaves the ${scheme} scheme in the registry`);
    }
  }
  if (schemes.length === 0) problems.push('no app-link scheme in protocols');
  const appImageArgs = (effective.appImage as { executableArgs?: unknown } | undefined)
    ?.executableArgs;
  if (!Array.isArray(appImageArgs) || appImageArgs.includes('--no-sandbox'))
    problems.push(
      `appImage.executableArgs is ${JSON.stringify(appImageArgs ?? null)}: electron-builder then starts the AppImage with --no-sandbox`,
    );
  const macTargets = ((effective.mac as { target?: unknown } | undefined)?.target ?? []) as unknown;
  const macArches = (Array.isArray(macTargets) ? macTargets : [macTargets]).flatMap((target) => {
    const arch = (target as { arch?: unknown } | null)?.arch;
    return Array.isArray(arch) ? arch : arch ? [arch] : [];
  });
  if (
    !macArches.includes('universal') &&
    !(macArches.includes('arm64') && macArches.includes('x64'))
  )
    problems.push(
      `macOS is built for ${macArches.join(', ') || 'this Mac only'}, not arm64 and x64`,
    );
  return problems;
}

/** Where electron-builder put the app's executable and resources in an unpacked folder. */
export async function packagedLayout(options: {
  projectRoot: string;
  appOutDir: string;
  platform?: NodeJS.Platform;
}): Promise<{
  config: BuilderConfig;
  packageJson: { name: string; productName?: string; desktopName?: string };
  productName: string;
  executable: string;
  resources: string;
}> {
  const { projectRoot, appOutDir } = options;
  const platform = options.platform ?? process.platform;
  const { config } = await loadBuilderConfig(projectRoot);
  const packageJson = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
    name: string;
    productName?: string;
    desktopName?: string;
  };
  // As electron-builder's AppInfo: the configuration's, else package.json's, else the package name.
  const productName = config.productName ?? packageJson.productName ?? packageJson.name;
  const appBundle = path.join(appOutDir, `${productName}.app`);
  const resources =
    platform === 'darwin'
      ? path.join(appBundle, 'Contents', 'Resources')
      : path.join(appOutDir, 'resources');
  const executable =
    platform === 'darwin'
      ? path.join(appBundle, 'Contents', 'MacOS', productName)
      : platform === 'win32'
        ? path.join(appOutDir, `${productName}.exe`)
        : path.join(appOutDir, config.linux?.executableName ?? packageJson.name);
  return { config, packageJson, productName, executable, resources };
}

export async function checkPackage(options: {
  projectRoot: string;
  appOutDir: string;
  platform?: NodeJS.Platform;
  desktopFile?: string;
  appImageDesktopFile?: string;
  /** The configuration file `npm run dist` was given (`-c`); default: electron-builder.yml. */
  configFile?: string | null;
}): Promise<PackageReport> {
  const { projectRoot, appOutDir } = options;
  const platform = options.platform ?? process.platform;
  const problems: string[] = [];
  const { config, packageJson, productName, executable, resources } = await packagedLayout({
    projectRoot,
    appOutDir,
    platform,
  });

  // app.asar: exactly the builds and package.json.
  const asarPath = path.join(resources, 'app.asar');
  let asarFiles: string[] = [];
  if (!existsSync(asarPath)) {
    problems.push(`no app.asar at ${asarPath}`);
  } else {
    const asar = asarModule();
    asarFiles = asar
      .listPackage(asarPath, { isPack: false })
      .filter((entry) => !('files' in asar.statFile(asarPath, entry.replace(/^[\\/]/, ''))))
      .map((entry) =>
        entry
          .replace(/^[\\/]/, '')
          .split(path.sep)
          .join('/'),
      )
      .sort();
    const expected = expectedAsarFiles(projectRoot);
    const missing = expected.filter((file) => !asarFiles.includes(file));
    const extra = asarFiles.filter((file) => !expected.includes(file));
    if (missing.length) problems.push(`app.asar lacks ${missing.join(', ')}`);
    if (extra.length) problems.push(`app.asar holds what it should not: ${extra.join(', ')}`);
    const forbidden = asarFiles.filter((file) =>
      /\.map$|^(src-|test\/|node_modules\/|devstack\/|scripts\/|\.env)/.test(file),
    );
    if (forbidden.length)
      problems.push(
        `app.asar carries sources, maps, tests or node_modules: ${forbidden.join(', ')}`,
      );
    if (asarFiles.includes('package.json')) {
      const packaged = JSON.parse(asar.extractFile(asarPath, 'package.json').toString('utf8')) as {
        main?: string;
        productName?: string;
      };
      if (packaged.main !== 'dist/main/main.js')
        problems.push(
          `the packaged package.json starts ${packaged.main ?? 'nothing'}, not dist/main/main.js`,
        );
      // Electron's app.name is package.json's productName, else its name.
      if (packaged.productName !== productName)
        problems.push(
          `the packaged package.json's productName is ${packaged.productName ?? 'missing'}, not ${productName} (the app would call itself ${packaged.productName ?? packageJson.name})`,
        );
    }
    const mainBundle = asarFiles.filter((file) => /^dist\/main\/.+\.js$/.test(file));
    const flag = new RegExp(`(["'\`])${SMOKE_TEST_FLAG}\\1`);
    if (!mainBundle.some((file) => flag.test(asar.extractFile(asarPath, file).toString('utf8'))))
      problems.push(`main's bundle does not handle ${SMOKE_TEST_FLAG}`);
  }
  for (const stray of ['default_app.asar', 'app']) {
    if (existsSync(path.join(resources, stray)))
      problems.push(`${stray} next to app.asar (only app.asar may be loaded)`);
  }

  // The executable and its fuses.
  const fuses: Record<string, string> = {};
  if (!existsSync(executable) || !statSync(executable).isFile()) {
    problems.push(`no executable at ${executable}`);
  } else {
    const { FuseV1Options, FuseState, getCurrentFuseWire } = await fusesModule();
    const wire = await getCurrentFuseWire(executable);
    const expected = await fuseWireFor(config.electronFuses ?? {});
    for (const [index, state] of Object.entries(wire)) {
      if (index === 'version' || !/^\d+$/.test(index)) continue;
      const name = String(FuseV1Options[index] ?? `fuse ${index}`);
      fuses[name] = String(FuseState[String(state)] ?? state);
      const want = expected[index];
      if (typeof want === 'boolean' && state !== (want ? FuseState.ENABLE : FuseState.DISABLE)) {
        problems.push(
          `fuse ${name} is ${fuses[name]}, electron-builder.yml sets it ${want ? 'ENABLE' : 'DISABLE'}`,
        );
      }
    }
    for (const index of Object.keys(expected)) {
      if (/^\d+$/.test(index) && !(index in wire))
        problems.push(`fuse ${String(FuseV1Options[index])} is not on the executable's fuse wire`);
    }
  }

  // The desktop entry (Linux installers).
  if (options.desktopFile) {
    const expectedName = packageJson.desktopName ?? `${path.basename(executable)}.desktop`;
    if (path.basename(options.desktopFile) !== expectedName)
      problems.push(`desktop file is ${path.basename(options.desktopFile)}, not ${expectedName}`);
    const entry = Object.fromEntries(
      readFileSync(options.desktopFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const wanted: Record<string, (value: string | undefined) => boolean> = {
      Name: (value) => value === productName,
      Exec: (value) =>
        Boolean(value && new RegExp(`/${path.basename(executable)}"? %U$`).test(value)),
      Icon: (value) => value === path.basename(executable),
      StartupWMClass: (value) => value === expectedName.replace(/\.desktop$/, ''),
      Categories: (value) =>
        Boolean(value?.split(';').includes(config.linux?.category ?? 'Development')),
      Type: (value) => value === 'Application',
    };
    for (const [key, ok] of Object.entries(wanted)) {
      if (!ok(entry[key]))
        problems.push(`desktop entry ${key}=${entry[key] ?? '(missing)'} is not right`);
    }
  }
  if (options.appImageDesktopFile) {
    const exec = /^Exec=(.*)$/m.exec(readFileSync(options.appImageDesktopFile, 'utf8'))?.[1];
    if (exec !== 'AppRun %U')
      problems.push(
        `the AppImage's desktop entry starts "${exec ?? '(nothing)'}", not "AppRun %U"`,
      );
  }

  // The configuration the build used (electron-builder writes builder-effective-config.yaml only in
  // an interactive terminal, never in CI, so it is evaluated again here the way electron-builder does).
  problems.push(
    ...effectiveConfigProblems(
      (await loadEffectiveBuilderConfig(projectRoot, options.configFile ?? null)) as BuilderConfig &
        Record<string, unknown>,
      projectRoot,
    ),
  );
  return { problems, asarFiles, executable, fuses };
}

if (import.meta.filename === process.argv[1]) {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const appOutDir = args.find(
    (arg, i) =>
      !arg.startsWith('--') &&
      !['--platform', '--desktop-file', '--appimage-desktop-file', '--config'].includes(
        args[i - 1] ?? '',
      ),
  );
  if (!appOutDir) {
    console.error(
      'usage: node scripts/check-package.ts <unpacked folder> [--platform linux|win32|darwin] [--config <electron-builder file>] [--desktop-file <file>] [--appimage-desktop-file <file>]',
    );
    process.exit(2);
  }
  const report = await checkPackage({
    projectRoot: fileURLToPath(new URL('..', import.meta.url)),
    appOutDir: path.resolve(appOutDir),
    platform: (option('--platform') as NodeJS.Platform | undefined) ?? process.platform,
    desktopFile: option('--desktop-file'),
    appImageDesktopFile: option('--appimage-desktop-file'),
    configFile: option('--config') ?? null,
  });
  console.log(`executable: ${report.executable}`);
  console.log(
    `app.asar (${report.asarFiles.length} files):\n${report.asarFiles.map((file) => `  ${file}`).join('\n')}`,
  );
  console.log(
    `fuses:\n${Object.entries(report.fuses)
      .map(([name, state]) => `  ${name}: ${state}`)
      .join('\n')}`,
  );
  if (report.problems.length) {
    console.error(
      `package check FAILED:\n${report.problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    process.exit(1);
  }
  console.log('package check passed');
}
