/**
 * electron-builder's own view of this project: electron-builder.yml loaded with its loader, and the
 * modules it packages with (@electron/asar, @electron/fuses), resolved the way electron-builder
 * resolves them, so a check reads a package with the very versions that wrote it.
 */
import { createRequire } from 'node:module';

/** require() as electron-builder resolves its own dependencies (not relying on npm's hoisting). */
const builderRequire = createRequire(
  createRequire(import.meta.url).resolve('electron-builder/package.json'),
);
export const libRequire = createRequire(builderRequire.resolve('app-builder-lib'));

export type FuseOptions = Record<string, boolean | undefined>;
export type BuilderConfig = Record<string, unknown> & {
  productName?: string;
  electronFuses?: FuseOptions;
  asar?: unknown;
  disableAsarIntegrity?: unknown;
  linux?: { executableName?: string; category?: string; syncDesktopName?: boolean };
};

interface ConfigLoader {
  getConfig(
    request: {
      packageKey: string;
      configFilename: string;
      projectDir: string;
      packageMetadata: null;
    },
    configPath: string | null,
  ): Promise<{ result: BuilderConfig; configFile: string | null } | null>;
}

/** electron-builder.yml (or whatever electron-builder would use) as electron-builder loads it. */
export async function loadBuilderConfig(
  projectDir: string,
): Promise<{ config: BuilderConfig; configFile: string | null }> {
  const loader = libRequire('app-builder-lib/out/util/config/load.js') as ConfigLoader;
  const loaded = await loader.getConfig(
    { packageKey: 'build', configFilename: 'electron-builder', projectDir, packageMetadata: null },
    null,
  );
  if (!loaded) throw new Error('electron-builder found no configuration');
  return { config: loaded.result, configFile: loaded.configFile };
}

/**
 * A configuration file as electron-builder builds with it (`-c <file>`): `extends` resolved, merged over
 * electron-builder's defaults.
 */
export async function loadEffectiveBuilderConfig(
  projectDir: string,
  configPath: string | null,
): Promise<BuilderConfig> {
  const { getConfig } = libRequire('app-builder-lib/out/util/config/config.js') as {
    getConfig(
      projectDir: string,
      configPath: string | null,
      configFromOptions: null,
    ): Promise<BuilderConfig>;
  };
  return getConfig(projectDir, configPath, null);
}

/**
 * The @electron/fuses wire config electron-builder flips in the packaged binary for `electronFuses`
 * (index → on/off).
 */
export async function fuseWireFor(electronFuses: FuseOptions): Promise<Record<string, unknown>> {
  const { PlatformPackager } = libRequire('app-builder-lib') as {
    PlatformPackager: {
      prototype: {
        generateFuseConfig(this: unknown, fuses: FuseOptions): Promise<Record<string, unknown>>;
      };
    };
  };
  return PlatformPackager.prototype.generateFuseConfig.call(null, electronFuses);
}

export interface FusesModule {
  FuseV1Options: Record<string, number | string>;
  FuseState: Record<string, number | string>;
  getCurrentFuseWire(pathToElectron: string): Promise<Record<string, unknown>>;
}

export async function fusesModule(): Promise<FusesModule> {
  const fuses = libRequire('@electron/fuses') as Omit<FusesModule, 'FuseState'>;
  // FuseState ('0' off, '1' on, 'r' removed) lives in its constants module, not re-exported.
  const { FuseState } = libRequire(
    libRequire.resolve('@electron/fuses').replace(/index\.js$/, 'constants.js'),
  ) as Pick<FusesModule, 'FuseState'>;
  return { ...fuses, FuseState };
}

export interface AsarModule {
  listPackage(archivePath: string, options: { isPack: boolean }): string[];
  statFile(archivePath: string, filename: string): object;
  extractFile(archivePath: string, filename: string): Buffer;
}

export function asarModule(): AsarModule {
  return libRequire('@electron/asar') as AsarModule;
}
