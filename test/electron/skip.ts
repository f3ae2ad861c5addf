/**
 * Whether the Electron suite can run here, and if not, the one line every test skips with.
 * `npm run test:electron` has already tried to download the binary (scripts/electron-binary.ts) and
 * passes the failure on as ELECTRON_SKIP_REASON; run directly, Playwright only looks.
 *
 * REQUIRE_ELECTRON=1 (the GitHub workflow's test job) turns every "cannot" into a failure: no binary,
 * and a memory-only session store where the restart journeys must prove a keychain.
 */
import { findElectronBinary, type ElectronBinary } from '../../scripts/electron-binary.ts';
import { sandboxPlan, readSandboxFacts } from '../../scripts/electron-sandbox.ts';
import { PROJECT_ROOT } from './paths.ts';

/** REQUIRE_ELECTRON=1: the suite must run, not skip (not implied by CI: .ci/run has no Electron). */
export const electronRequired = process.env.REQUIRE_ELECTRON === '1';

/** Inside .ci/with-keyring: an unlocked gnome-keyring is the session's Secret Service. */
export const keyringSession = process.env.WITH_KEYRING_SESSION === '1';

export function electronForTests(): ElectronBinary {
  const binary = findElectronBinary({ projectRoot: PROJECT_ROOT });
  if (binary.found) return binary;
  return {
    found: false,
    reason: `Electron tests skipped: ${process.env.ELECTRON_SKIP_REASON || binary.reason}`,
  };
}

/**
 * Whether the suite launches Electron with its OS sandbox (Playwright's `chromiumSandbox: true`), as
 * `npm run electron:dev` would (scripts/electron-sandbox.ts, without the opt-in), and if not why.
 */
export function sandboxForTests(executablePath: string): {
  chromiumSandbox: boolean;
  line?: string;
} {
  const plan = sandboxPlan(readSandboxFacts(executablePath, { cwd: PROJECT_ROOT, env: {} }));
  return plan.kind === 'sandboxed'
    ? { chromiumSandbox: true }
    : {
        chromiumSandbox: false,
        line: `Electron suite without the OS sandbox (Playwright adds --no-sandbox): ${plan.why}.`,
      };
}
