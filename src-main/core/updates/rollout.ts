/**
 * Staged rollout (issue 20): a release whose `latest*.yml` says `stagingPercentage: 10` goes to one
 * installation in ten. Each installation has a random id, kept in its profile so the answer does not
 * change from one check to the next; the same id and the same rule decide every time.
 *
 * The id lives where electron-updater keeps its own (`<userData>/.updaterId`, a UUID), so both read
 * the same one. It never leaves the machine: the HTTP executor drops the header electron-updater
 * would send it in (update-http.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UUID } from 'builder-util-runtime';
import type { Logger } from '../platform.ts';

export const INSTALLATION_ID_FILE = '.updaterId';

export type RolloutDecision =
  | { inRollout: true }
  | { inRollout: false; reason: 'staged' | 'invalid-percentage'; percentage: unknown };

/**
 * Whether this installation gets a release with `stagingPercentage` (absent: everyone). The id's
 * last four bytes as a fraction of 2^32 (like electron-updater) place the installation in [0, 100);
 * it is in when that place is below the percentage: 0 lets nobody in, 100 everybody. A percentage
 * that is not a number from 0 to 100 lets nobody in: a release manager meant something by it.
 */
export function decideRollout(stagingPercentage: unknown, installationId: string): RolloutDecision {
  if (stagingPercentage === undefined || stagingPercentage === null) return { inRollout: true };
  const percentage =
    typeof stagingPercentage === 'number'
      ? stagingPercentage
      : typeof stagingPercentage === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(stagingPercentage)
        ? Number(stagingPercentage)
        : Number.NaN;
  if (!Number.isFinite(percentage) || percentage < 0 || percentage > 100)
    return { inRollout: false, reason: 'invalid-percentage', percentage: stagingPercentage };
  return placeOf(installationId) < percentage
    ? { inRollout: true }
    : { inRollout: false, reason: 'staged', percentage };
}

/** Where an installation id falls in [0, 100). */
export function placeOf(installationId: string): number {
  return (UUID.parse(installationId).readUInt32BE(12) / 2 ** 32) * 100;
}

/** The installation's id from `<userData>/.updaterId`; a missing or unreadable one is replaced. */
export function readOrCreateInstallationId(userDataDir: string, log?: Logger): string {
  const file = path.join(userDataDir, INSTALLATION_ID_FILE);
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (UUID.check(id)) return id;
    log?.warn('update: the installation id was unreadable; a new one is made');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      log?.warn('update: the installation id could not be read; a new one is made', {
        errorCode: (error as NodeJS.ErrnoException).code,
      });
  }
  const id = randomUUID();
  try {
    mkdirSync(userDataDir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, id, { mode: 0o600 });
    renameSync(temporary, file);
  } catch (error) {
    // The rollout still works for this run; the next one draws again.
    log?.warn('update: the installation id could not be saved', {
      errorCode: (error as NodeJS.ErrnoException).code,
    });
  }
  return id;
}
