/**
 * .github/workflows/ci.yml: valid for actionlint (which must be able to fail), and doing what the
 * README promises a user of this repository: npm test with the Electron suite (display, Secret
 * Service, Electron's sandbox allowed), unsigned installers on Linux, Windows and macOS checked by
 * scripts/check-package.ts and uploaded, downloads cached.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { libRequire } from '../../scripts/builder-config.ts';
import { lintWorkflow } from '../../scripts/lint-workflows.ts';

const text = readFileSync(
  fileURLToPath(new URL('../../.github/workflows/ci.yml', import.meta.url)),
  'utf8',
);

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  strategy?: { matrix: { os?: string[]; node?: string[] } };
  steps: Step[];
}
const workflow = (libRequire('js-yaml') as { load(text: string): unknown }).load(text) as {
  env: Record<string, string>;
  jobs: Record<string, Job>;
};

const fromRoot = (file: string) =>
  readFileSync(fileURLToPath(new URL(`../../${file}`, import.meta.url)), 'utf8');

describe('the oldest supported Node, one number everywhere', () => {
  const oldest = fromRoot('.nvmrc').trim();

  it('is an exact version, at least 22.22.3 (type stripping; Playwright loading the suites)', () => {
    expect(oldest).toMatch(/^\d+\.\d+\.\d+$/);
    const [major = 0, minor = 0, patch = 0] = oldest.split('.').map(Number);
    expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(22_022_003);
  });

  it('package.json’s engines, the README and .ci/run’s check say the same', () => {
    const { engines } = JSON.parse(fromRoot('package.json')) as { engines: { node: string } };
    expect(engines.node).toBe(`>=${oldest}`);
    expect(fromRoot('README.md')).toContain(`Node.js **${oldest} or newer** (\`.nvmrc\``);
    // .ci/run compares the running Node with .nvmrc's version, not a number of its own.
    const run = fromRoot('.ci/run');
    expect(run).toMatch(/minimum="\$\(tr -d '\[:space:\]' < \.nvmrc\)"/);
  });

  it('the workflow runs npm test on exactly that version, the newest 22 and the newest 24', () => {
    const job = workflow.jobs.test as Job;
    expect(job.strategy?.matrix.node).toEqual([oldest, '22', '24']);
    const setup = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setup?.with?.['node-version']).toBe('${{ matrix.node }}');
  });
});

describe('ci.yml', () => {
  it(
    'has no actionlint finding, and actionlint does find a broken workflow',
    { timeout: 60_000 },
    async () => {
      expect(await lintWorkflow(text, '.github/workflows/ci.yml')).toEqual([]);
      const broken =
        'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n';
      expect((await lintWorkflow(broken)).length).toBeGreaterThan(0);
    },
  );

  it('runs npm test on ubuntu-latest with a display, a Secret Service and Electron’s sandbox allowed', () => {
    const job = workflow.jobs.test as Job;
    expect(job['runs-on']).toBe('ubuntu-latest');
    const runs = job.steps.map((step) => step.run ?? '');
    const sysctl = runs.findIndex((run) =>
      run.includes('sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0'),
    );
    const apt = runs.findIndex((run) => /apt-get install .*xvfb.*gnome-keyring/.test(run));
    const test = runs.findIndex((run) => run.trim() === '.ci/with-keyring npm test');
    expect(sysctl).toBeGreaterThanOrEqual(0);
    expect(apt).toBeGreaterThanOrEqual(0);
    expect(test).toBeGreaterThan(Math.max(sysctl, apt));
    // The Electron suite must run there: no skipping past a failed download or a memory-only store.
    expect(job.steps[test]?.env?.REQUIRE_ELECTRON).toBe('1');
  });

  it('builds unsigned installers on Linux, Windows and macOS, checks them and uploads them', () => {
    const job = workflow.jobs.installers as Job;
    expect(job.strategy?.matrix.os).toEqual(['ubuntu-latest', 'windows-latest', 'macos-latest']);
    const runs = job.steps.map((step) => step.run ?? '');
    expect(runs).toContain('npm run dist -- --publish never -c electron-builder.unsigned.yml');
    expect(runs.join('\n')).toMatch(
      /node scripts\/check-package\.ts release\/linux-unpacked --platform linux/,
    );
    expect(runs.join('\n')).toMatch(
      /node scripts\/check-package\.ts release\/win-unpacked --platform win32/,
    );
    expect(runs.join('\n')).toMatch(/--platform darwin/);
    const upload = job.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with?.path).toMatch(/AppImage[\s\S]*deb[\s\S]*exe[\s\S]*dmg/);
  });

  it('launches each unpacked packaged app with --smoke-test, Linux, Windows and macOS, after checking it', () => {
    const job = workflow.jobs.installers as Job;
    const names = job.steps.map((step) => step.name ?? '');
    const check = names.findIndex((name) => name.startsWith('Check what was packaged'));
    const smoke = names.findIndex((name) => name.startsWith('Launch the packaged app'));
    expect(smoke).toBeGreaterThan(check);
    const run = job.steps[smoke]?.run ?? '';
    expect(run).toContain('node scripts/smoke-test.ts release/linux-unpacked --platform linux');
    expect(run).toContain('node scripts/smoke-test.ts release/win-unpacked --platform win32');
    expect(run).toMatch(/node scripts\/smoke-test\.ts "\$app" --platform darwin/);
    // Linux: a display for xvfb-run, and the sandbox allowed, before the app starts.
    const linuxSetup = job.steps.findIndex((step) =>
      (step.run ?? '').includes('sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0'),
    );
    expect(linuxSetup).toBeGreaterThanOrEqual(0);
    expect(linuxSetup).toBeLessThan(smoke);
    // Both Mac architectures are checked.
    expect(job.steps[check]?.run).toMatch(/release\/mac-arm64[\s\S]*release\/mac --platform/);
  });

  it('signs pull-request macOS builds ad hoc (electron-builder skips every signature in a PR otherwise)', () => {
    const build = (workflow.jobs.installers as Job).steps.find((step) =>
      (step.run ?? '').startsWith('npm run dist'),
    );
    expect(build?.env?.CSC_FOR_PULL_REQUEST).toBe('true');
  });

  it('caches Electron’s download and electron-builder’s, each where that tool looks', () => {
    expect(workflow.env.electron_config_cache).toMatch(/\.cache\/electron$/);
    expect(workflow.env.ELECTRON_BUILDER_CACHE).toMatch(/\.cache\/electron-builder$/);
    const cached = workflow.jobs.installers?.steps.find((step) =>
      step.uses?.startsWith('actions/cache@'),
    )?.with?.path;
    expect(cached).toMatch(/\.cache\/electron\n\.cache\/electron-builder/);
  });
});

describe('release.yml (issue 20: a signed update feed)', () => {
  const release = (libRequire('js-yaml') as { load(text: string): unknown }).load(
    fromRoot('.github/workflows/release.yml'),
  ) as { jobs: Record<string, Job & { needs?: string }> };

  it('has no actionlint finding', { timeout: 60_000 }, async () => {
    expect(
      await lintWorkflow(
        fromRoot('.github/workflows/release.yml'),
        '.github/workflows/release.yml',
      ),
    ).toEqual([]);
  });

  it('builds with the feed URL and the public key, keeps latest*.yml and the blockmaps', () => {
    const build = release.jobs.installers!.steps.find((step) => step.run?.includes('npm run dist'));
    expect(build?.env).toMatchObject({
      UPDATE_FEED_URL: '${{ vars.UPDATE_FEED_URL }}',
      UPDATE_PUBLIC_KEY: '${{ vars.UPDATE_PUBLIC_KEY }}',
    });
    // No private key in a build: the signing key is the feed job's alone.
    expect(JSON.stringify(release.jobs.installers)).not.toContain('UPDATE_SIGNING_KEY');
    const upload = release.jobs.installers!.steps.find((step) =>
      step.uses?.startsWith('actions/upload-artifact@'),
    );
    expect(upload?.with?.path).toMatch(/latest\*\.yml/);
    expect(upload?.with?.path).toMatch(/\*\.blockmap/);
    expect(upload?.with?.path).toMatch(/\*\.zip/);
  });

  it('signs every latest*.yml of the gathered feed with npm run update:sign, after the builds', () => {
    const feed = release.jobs.feed!;
    expect(feed.needs).toBe('installers');
    const sign = feed.steps.find((step) => step.run?.includes('npm run update:sign'));
    expect(sign?.run).toMatch(/npm run update:sign -- feed --key "\$key"/);
    expect(sign?.env?.UPDATE_SIGNING_KEY).toBe('${{ secrets.UPDATE_SIGNING_KEY }}');
    expect(sign?.run).toMatch(/umask 077/);
  });
});

describe('the CI installers (ci.yml) are built with updates off', () => {
  it('use electron-builder.unsigned.yml, which ships AUTO_UPDATE=false (electron-builder-config.test.ts)', () => {
    const job = workflow.jobs.installers as Job;
    const build = job.steps.find((step) => step.run?.includes('npm run dist'));
    expect(build?.run).toContain('-c electron-builder.unsigned.yml');
    expect(JSON.stringify(job)).not.toContain('UPDATE_FEED_URL');
  });
});
