/**
 * electron-builder.yml, read the way electron-builder 26 reads it: its own config loader (js-yaml),
 * its own JSON-schema validation (which refuses unknown keys, so a misspelt fuse cannot pass), and its
 * own translation of `electronFuses` into the @electron/fuses wire config that it flips in the
 * packaged binary (Electron security checklist item 19). Nothing is packaged and Electron is not
 * needed: electron-builder and app-builder-lib are loaded through electron-builder's dependencies.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  fuseWireFor,
  fusesModule,
  libRequire,
  loadBuilderConfig,
  loadEffectiveBuilderConfig,
  type BuilderConfig,
} from '../../scripts/builder-config.ts';
import { effectiveConfigProblems } from '../../scripts/check-package.ts';
import { feedlessConfig } from '../../scripts/dist.ts';
import { readManagedSettings } from '../../src-main/core/settings.ts';
import { loadUpdateSetup } from '../../src-main/core/updates/update-setup.ts';
import { SECURITY_NOTES_FILE } from '../../src-main/electron/menu.ts';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));

interface ConfigModule {
  doMergeConfigs(configs: BuilderConfig[]): BuilderConfig;
  validateConfiguration(config: BuilderConfig, debugLogger: unknown): Promise<void>;
}

/** What electron-builder 26 maps each `electronFuses` key to (@electron/fuses FuseV1Options). */
const EXPECTED_FUSES = {
  runAsNode: { option: 'RunAsNode', value: false },
  enableNodeOptionsEnvironmentVariable: {
    option: 'EnableNodeOptionsEnvironmentVariable',
    value: false,
  },
  enableNodeCliInspectArguments: { option: 'EnableNodeCliInspectArguments', value: false },
  enableCookieEncryption: { option: 'EnableCookieEncryption', value: true },
  enableEmbeddedAsarIntegrityValidation: {
    option: 'EnableEmbeddedAsarIntegrityValidation',
    value: true,
  },
  onlyLoadAppFromAsar: { option: 'OnlyLoadAppFromAsar', value: true },
  grantFileProtocolExtraPrivileges: { option: 'GrantFileProtocolExtraPrivileges', value: false },
} as const;

let config: BuilderConfig;
let configFile: string | null;
let validate: (config: BuilderConfig) => Promise<void>;

beforeAll(async () => {
  const configModule = libRequire('app-builder-lib/out/util/config/config.js') as ConfigModule;
  const { DebugLogger } = libRequire('builder-util') as {
    DebugLogger: new (enabled: boolean) => unknown;
  };
  ({ config, configFile } = await loadBuilderConfig(projectDir));
  validate = (candidate) =>
    configModule.validateConfiguration(
      configModule.doMergeConfigs([structuredClone(candidate)]),
      new DebugLogger(false),
    );
});

describe('electron-builder.yml', () => {
  it('is the configuration electron-builder uses (package.json has no "build" key that would win)', () => {
    expect(configFile).toBe(path.join(projectDir, 'electron-builder.yml'));
    const packageJson = JSON.parse(
      readFileSync(path.join(projectDir, 'package.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(packageJson).not.toHaveProperty('build');
  });

  // The first validation compiles electron-builder's JSON schema: seconds on a busy machine.
  it('passes electron-builder’s schema validation', { timeout: 30_000 }, async () => {
    await expect(validate(config)).resolves.toBeUndefined();
  });

  it('would fail that validation with a misspelt fuse (so the key names above are the real ones)', async () => {
    await expect(
      validate({ ...config, electronFuses: { ...config.electronFuses, runAsNod: false } }),
    ).rejects.toThrow(/configuration\.electronFuses/);
  });
});

describe('electronFuses', () => {
  it('sets exactly the hardened values, and leaves loadBrowserProcessSpecificV8Snapshot at its default', () => {
    const expected = Object.fromEntries(
      Object.entries(EXPECTED_FUSES).map(([key, { value }]) => [key, value]),
    );
    expect(config.electronFuses).toEqual(expected);
    expect(config.electronFuses).not.toHaveProperty('loadBrowserProcessSpecificV8Snapshot');
  });

  it('becomes the right bits on @electron/fuses’ wire config, as electron-builder builds it before signing', async () => {
    const fuses = await fusesModule();
    const wire = await fuseWireFor(config.electronFuses ?? {});
    for (const [key, { option, value }] of Object.entries(EXPECTED_FUSES)) {
      const index = fuses.FuseV1Options[option];
      expect(index, `${option} is a fuse @electron/fuses knows`).toBeTypeOf('number');
      expect(wire[String(index)], `${key} → FuseV1Options.${option}`).toBe(value);
    }
    expect(wire[String(fuses.FuseV1Options.LoadBrowserProcessSpecificV8Snapshot)]).toBeUndefined();
  });

  it('keeps what asar integrity validation and onlyLoadAppFromAsar need: an asar, with its integrity embedded', () => {
    expect(config.asar).toBe(true);
    expect(config.disableAsarIntegrity).toBeUndefined();
  });
});

describe('what the installers must do (scripts/check-package.ts reads it back from each build)', () => {
  it('electron-builder.yml and the unsigned variant pass: NSIS removes the scheme, the AppImage keeps the sandbox, macOS arm64 + x64', async () => {
    for (const file of ['electron-builder.yml', 'electron-builder.unsigned.yml']) {
      const effective = await loadEffectiveBuilderConfig(projectDir, file);
      expect(effectiveConfigProblems(effective, projectDir), file).toEqual([]);
    }
  });

  it('names each problem: no include, a scheme the uninstaller leaves, --no-sandbox, one Mac architecture', async () => {
    const effective = await loadEffectiveBuilderConfig(projectDir, null);
    expect(effectiveConfigProblems({ ...effective, nsis: {} }, projectDir)).toEqual([
      'nsis.include is unset, not build/installer.nsh',
    ]);
    expect(
      effectiveConfigProblems(
        { ...effective, protocols: [{ name: 'x', schemes: ['com.example.other'] }] },
        projectDir,
      ),
    ).toEqual(['the NSIS uninstaller leaves the com.example.other scheme in the registry']);
    expect(
      effectiveConfigProblems({ ...effective, appImage: { executableArgs: null } }, projectDir),
    ).toEqual([
      'appImage.executableArgs is null: electron-builder then starts the AppImage with --no-sandbox',
    ]);
    expect(
      effectiveConfigProblems(
        { ...effective, mac: { ...(effective.mac as object), target: 'dmg' } },
        projectDir,
      ),
    ).toEqual(['macOS is built for this Mac only, not arm64 and x64']);
  });
});

describe('extraResources', () => {
  it('ships SECURITY.md beside app.asar, where Help → Security Notes looks for it', () => {
    expect(config.extraResources).toEqual(
      expect.arrayContaining([{ from: 'SECURITY.md', to: SECURITY_NOTES_FILE }]),
    );
    expect(existsSync(path.join(projectDir, 'SECURITY.md'))).toBe(true);
  });
});

describe('electron-builder.unsigned.yml (CI installers without certificates)', () => {
  it(
    'is electron-builder.yml with an ad-hoc macOS signature, no hardened runtime or notarization, and passes validation',
    { timeout: 30_000 },
    async () => {
      const unsigned = await loadEffectiveBuilderConfig(
        projectDir,
        'electron-builder.unsigned.yml',
      );
      const mac = unsigned.mac as Record<string, unknown>;
      expect(mac).toMatchObject({
        identity: '-',
        hardenedRuntime: false,
        notarize: false,
        target: [
          { target: 'dmg', arch: ['arm64', 'x64'] },
          { target: 'zip', arch: ['arm64', 'x64'] },
        ],
        icon: 'build/icon.icns',
      });
      expect(unsigned.electronFuses).toEqual(config.electronFuses);
      expect(unsigned.appId).toBe(config.appId);
      expect(unsigned.files).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            filter: expect.arrayContaining(['dist/main/**/*', '!**/*.map']),
          }),
        ]),
      );
      await expect(validate(unsigned)).resolves.toBeUndefined();
    },
  );
});

describe('updates (issue 20)', () => {
  it('publishes to a generic feed whose URL comes from the build (UPDATE_FEED_URL); macOS also gets the zip MacUpdater needs', () => {
    expect(config.publish).toEqual({ provider: 'generic', url: '${env.UPDATE_FEED_URL}' });
    expect((config.mac as { target: unknown }).target).toEqual(
      expect.arrayContaining([{ target: 'zip', arch: ['arm64', 'x64'] }]),
    );
  });

  it.each([
    ['electron-builder.yml', null],
    ['electron-builder.unsigned.yml', 'electron-builder.unsigned.yml'],
  ])(
    'without UPDATE_FEED_URL, dist builds %s with publish: null and everything else unchanged',
    { timeout: 30_000 },
    async (_, named) => {
      const folder = mkdtempSync(path.join(os.tmpdir(), 'feedless-'));
      try {
        const cli = ['--dir', ...(named ? ['-c', named] : []), '--publish', 'never'];
        const { args, file } = feedlessConfig(cli, projectDir, folder);
        expect(args).toEqual(['--dir', '--publish', 'never', '--config', file]);
        const withFeed = await loadEffectiveBuilderConfig(projectDir, named);
        const without = await loadEffectiveBuilderConfig(projectDir, file);
        expect(without.publish).toBeNull();
        expect({ ...without, publish: withFeed.publish, extends: withFeed.extends }).toEqual(
          withFeed,
        );
        await expect(validate(without)).resolves.toBeUndefined();
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  );

  it('the unsigned CI installers ship an app-config.json that turns updates off ("by your organisation")', async () => {
    const unsigned = await loadEffectiveBuilderConfig(projectDir, 'electron-builder.unsigned.yml');
    const shipped = (unsigned.extraResources as Array<{ from: string; to: string }>).find(
      (entry) => entry.to === 'app-config.json',
    );
    expect(shipped).toBeDefined();
    const file = path.join(projectDir, shipped!.from);
    expect(readManagedSettings(file)).toEqual({ AUTO_UPDATE: 'false' });
    // What the packaged app makes of it, with a feed in the build and one in the environment.
    expect(
      loadUpdateSetup({
        env: { UPDATE_FEED_URL: 'https://updates.example.com/' },
        managedConfigFile: file,
        managedConfigWins: true,
      }).setup,
    ).toEqual({ kind: 'off', source: 'managed' });
    // SECURITY.md still ships (extraResources is replaced, not merged, by `extends`).
    expect(unsigned.extraResources).toEqual(
      expect.arrayContaining([{ from: 'SECURITY.md', to: SECURITY_NOTES_FILE }]),
    );
    // The signed configuration ships no such file.
    expect(JSON.stringify(config.extraResources)).not.toContain('app-config');
  });
});
