/**
 * Whether `npm run electron:dev` (and the Electron suite) may start Electron with its OS sandbox, start
 * it without one, or must wait: sysctl values × chrome-sandbox owner/mode × the opt-in, as
 * scripts/electron-sandbox.ts decides. The lines are what a person reads in the terminal.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readSandboxFacts,
  sandboxPlan,
  type SandboxFacts,
} from '../../scripts/electron-sandbox.ts';

const HELPER = 'node_modules/electron/dist/chrome-sandbox';
const helpers = {
  missing: { path: HELPER },
  'setuid root (4755)': { path: HELPER, uid: 0, mode: 0o104755 },
  'root, not setuid (755)': { path: HELPER, uid: 0, mode: 0o100755 },
  'setuid, owned by the user': { path: HELPER, uid: 1000, mode: 0o104755 },
} as const;
type Helper = keyof typeof helpers;

function facts(overrides: Partial<SandboxFacts>): SandboxFacts {
  return {
    platform: 'linux',
    uid: 1000,
    chromeSandbox: helpers['root, not setuid (755)'],
    noSandboxOptIn: false,
    ...overrides,
  };
}

describe('sandboxPlan: sysctl × chrome-sandbox × ELECTRON_DEV_NO_SANDBOX', () => {
  const kernels = [
    {
      name: 'mainline (no such sysctls)',
      apparmor: undefined,
      clone: undefined,
      restricted: false,
    },
    { name: 'Ubuntu ≥ 23.10 default', apparmor: '1', clone: undefined, restricted: true },
    { name: 'Ubuntu, restriction lifted', apparmor: '0', clone: undefined, restricted: false },
    { name: 'old Debian, clone off', apparmor: undefined, clone: '0', restricted: true },
    { name: 'old Debian, clone on', apparmor: undefined, clone: '1', restricted: false },
    { name: 'both restricting', apparmor: '1', clone: '0', restricted: true },
  ] as const;
  const cases = kernels.flatMap((kernel) =>
    (Object.keys(helpers) as Helper[]).flatMap((helper) =>
      [false, true].map((optIn) => ({ kernel, helper, optIn })),
    ),
  );

  it.each(cases)(
    '$kernel.name, chrome-sandbox $helper, opt-in $optIn',
    ({ kernel, helper, optIn }) => {
      const plan = sandboxPlan(
        facts({
          apparmorRestrictUserns: kernel.apparmor,
          unprivilegedUsernsClone: kernel.clone,
          chromeSandbox: helpers[helper],
          noSandboxOptIn: optIn,
        }),
      );
      const canSandbox = !kernel.restricted || helper === 'setuid root (4755)';
      if (canSandbox) {
        expect(plan).toMatchObject({ kind: 'sandboxed', args: [] });
        // The opt-in never turns the sandbox off where it works.
        if (optIn) expect(plan).toHaveProperty('line', expect.stringMatching(/is not needed here/));
        return;
      }
      const sysctl =
        kernel.apparmor === '1'
          ? 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0'
          : 'sudo sysctl -w kernel.unprivileged_userns_clone=1';
      const chown = `sudo chown root:root ${HELPER} && sudo chmod 4755 ${HELPER}`;
      if (optIn) {
        expect(plan).toMatchObject({ kind: 'unsandboxed', args: ['--no-sandbox'] });
        expect(plan.line).toMatch(
          /^Electron starts WITHOUT its OS sandbox \(ELECTRON_DEV_NO_SANDBOX=1\)/,
        );
      } else {
        expect(plan).toMatchObject({ kind: 'blocked', waitable: true });
        expect(plan.line).toMatch(/^Electron cannot start its OS sandbox: /);
        expect(plan.line).toContain('Electron starts as soon as one is done');
        expect(plan.line).toContain('ELECTRON_DEV_NO_SANDBOX=1');
        expect(plan).not.toHaveProperty('args');
      }
      // One line, naming both fixes.
      expect(plan.line).not.toContain('\n');
      expect(plan.line).toContain(sysctl);
      expect(plan.line).toContain(chown);
      expect(plan.line).toContain(`${HELPER} is not setuid root`);
    },
  );

  it('as root: never sandboxed; --no-sandbox only with the opt-in, and no waiting for a fix', () => {
    const root = facts({ uid: 0, chromeSandbox: helpers['setuid root (4755)'] });
    const blocked = sandboxPlan(root);
    expect(blocked).toMatchObject({ kind: 'blocked', waitable: false });
    expect(blocked.line).toMatch(
      /does not run its sandbox as root\. Fix: run as a normal user \(or set ELECTRON_DEV_NO_SANDBOX=1/,
    );
    expect(sandboxPlan({ ...root, noSandboxOptIn: true })).toMatchObject({
      kind: 'unsandboxed',
      args: ['--no-sandbox'],
    });
  });

  it('the README quotes the line a stock Ubuntu ≥ 23.10 machine shows, word for word', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const plan = sandboxPlan(facts({ apparmorRestrictUserns: '1' }));
    expect(readme).toContain(`\n${plan.line}\n`);
  });

  it('macOS and Windows always start sandboxed, with nothing to say', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      expect(
        sandboxPlan(facts({ platform, apparmorRestrictUserns: '1', noSandboxOptIn: true })),
      ).toEqual({ kind: 'sandboxed', args: [] });
    }
  });
});

describe('readSandboxFacts', () => {
  it('reads chrome-sandbox beside the executable (owner, mode), shown relative to the project, and the opt-in', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-facts-'));
    try {
      const dist = path.join(dir, 'node_modules', 'electron', 'dist');
      const executable = path.join(dist, 'electron');
      mkdirSync(dist, { recursive: true });
      writeFileSync(executable, '');
      const missing = readSandboxFacts(executable, { cwd: dir, env: {}, platform: 'linux' });
      expect(missing.chromeSandbox).toEqual({ path: HELPER });
      expect(missing.noSandboxOptIn).toBe(false);

      writeFileSync(path.join(dist, 'chrome-sandbox'), '');
      chmodSync(path.join(dist, 'chrome-sandbox'), 0o755);
      const present = readSandboxFacts(executable, {
        cwd: dir,
        env: { ELECTRON_DEV_NO_SANDBOX: '1' },
        platform: 'linux',
      });
      expect(present.chromeSandbox).toMatchObject({ path: HELPER, uid: process.getuid?.() });
      expect((present.chromeSandbox.mode ?? 0) & 0o7777).toBe(0o755);
      expect(present.noSandboxOptIn).toBe(true);
      expect(present.uid).toBe(process.geteuid?.());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
