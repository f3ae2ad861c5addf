/**
 * Can Electron start its OS sandbox on this machine, and if not, what to say.
 *
 * On Linux Chromium's sandbox needs one of two things: unprivileged user namespaces, or a setuid-root
 * `chrome-sandbox` helper beside the executable. Ubuntu 23.10 and later forbid the first to
 * unconfined programs (`kernel.apparmor_restrict_unprivileged_userns=1`; older Debian kernels had
 * `kernel.unprivileged_userns_clone=0`), and npm cannot install the second (`node_modules` files
 * belong to the user). With neither, Electron aborts at start ("The SUID sandbox helper binary was
 * found, but is not configured correctly"). Chromium also refuses to sandbox as root.
 *
 * sandboxPlan() is the decision, a pure function of those facts and the opt-in
 * (ELECTRON_DEV_NO_SANDBOX=1): start sandboxed; start with `--no-sandbox`, only after the opt-in and
 * saying so; or do not start and say, in one line, the two fixes. readSandboxFacts() gathers the
 * facts. Used by `npm run electron:dev` (scripts/electron-dev.ts) and by the Electron suite, which
 * launches with Playwright's `chromiumSandbox: true` wherever the plan is "sandboxed".
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface SandboxFacts {
  platform: NodeJS.Platform;
  /** The effective user id (Linux); Chromium will not sandbox root. */
  uid?: number;
  /** /proc/sys/kernel/apparmor_restrict_unprivileged_userns, trimmed; undefined where absent. */
  apparmorRestrictUserns?: string;
  /** /proc/sys/kernel/unprivileged_userns_clone, trimmed; undefined where absent (mainline kernels). */
  unprivilegedUsernsClone?: string;
  /** chrome-sandbox beside the executable (path as it should be shown), or undefined when missing. */
  chromeSandbox: { path: string; uid?: number; mode?: number };
  /** ELECTRON_DEV_NO_SANDBOX=1: the person accepts starting without the sandbox. */
  noSandboxOptIn: boolean;
}

export type SandboxPlan =
  | { kind: 'sandboxed'; args: string[]; line?: string }
  | { kind: 'unsandboxed'; args: string[]; line: string; why: string }
  /** `waitable`: a fix can come while this process runs (not so for root). */
  | { kind: 'blocked'; line: string; waitable: boolean; why: string };

const OPT_IN = 'ELECTRON_DEV_NO_SANDBOX=1';

function setuidRoot(helper: SandboxFacts['chromeSandbox']): boolean {
  return helper.uid === 0 && helper.mode !== undefined && (helper.mode & 0o4000) !== 0;
}

export function sandboxPlan(facts: SandboxFacts): SandboxPlan {
  if (facts.platform !== 'linux') return { kind: 'sandboxed', args: [] };
  const helper = facts.chromeSandbox.path;
  let why: string;
  let fixes: string;
  if (facts.uid === 0) {
    why = 'Chromium does not run its sandbox as root';
    fixes = 'run as a normal user';
  } else {
    const apparmor = facts.apparmorRestrictUserns === '1';
    const noClone = facts.unprivilegedUsernsClone === '0';
    if ((!apparmor && !noClone) || setuidRoot(facts.chromeSandbox)) {
      return facts.noSandboxOptIn
        ? {
            kind: 'sandboxed',
            args: [],
            line: `${OPT_IN} is not needed here: Electron starts with its OS sandbox.`,
          }
        : { kind: 'sandboxed', args: [] };
    }
    const sysctl = apparmor
      ? 'kernel.apparmor_restrict_unprivileged_userns'
      : 'kernel.unprivileged_userns_clone';
    why = `this kernel restricts unprivileged user namespaces (${sysctl}=${apparmor ? 1 : 0}) and ${helper} is not setuid root`;
    fixes = `\`sudo sysctl -w ${sysctl}=${apparmor ? 0 : 1}\` (until the next boot), or \`sudo chown root:root ${helper} && sudo chmod 4755 ${helper}\``;
  }
  if (facts.noSandboxOptIn)
    return {
      kind: 'unsandboxed',
      args: ['--no-sandbox'],
      why,
      line: `Electron starts WITHOUT its OS sandbox (${OPT_IN}): ${why}. To keep the sandbox: ${fixes}.`,
    };
  const waitable = facts.uid !== 0;
  return {
    kind: 'blocked',
    waitable,
    why,
    line: `Electron cannot start its OS sandbox: ${why}. Fix: ${fixes}${waitable ? '; Electron starts as soon as one is done' : ''} (or set ${OPT_IN} to start it without the sandbox).`,
  };
}

function readTrimmed(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The facts for the Electron executable at `executablePath`, `chrome-sandbox` shown relative to `cwd`. */
export function readSandboxFacts(
  executablePath: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform } = {},
): SandboxFacts {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const helperPath = path.join(path.dirname(executablePath), 'chrome-sandbox');
  const shown = options.cwd ? path.relative(options.cwd, helperPath) || helperPath : helperPath;
  let chromeSandbox: SandboxFacts['chromeSandbox'] = { path: shown };
  try {
    const stat = statSync(helperPath);
    chromeSandbox = { path: shown, uid: stat.uid, mode: stat.mode };
  } catch {
    // missing: cannot help
  }
  return {
    platform,
    uid: typeof process.geteuid === 'function' ? process.geteuid() : undefined,
    apparmorRestrictUserns: readTrimmed('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
    unprivilegedUsernsClone: readTrimmed('/proc/sys/kernel/unprivileged_userns_clone'),
    chromeSandbox,
    noSandboxOptIn: env.ELECTRON_DEV_NO_SANDBOX === '1',
  };
}
