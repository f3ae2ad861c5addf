/**
 * Whether the Electron suite can run here, and if not, the one line every test skips with.
 * `npm run test:electron` has already tried to download the binary (scripts/electron-binary.ts) and
 * passes the failure on as ELECTRON_SKIP_REASON; run directly, Playwright only looks.
 */
import { findElectronBinary, type ElectronBinary } from '../../scripts/electron-binary.ts';
import { PROJECT_ROOT } from './paths.ts';

export function electronForTests(): ElectronBinary {
  const binary = findElectronBinary({ projectRoot: PROJECT_ROOT });
  if (binary.found) return binary;
  return {
    found: false,
    reason: `Electron tests skipped: ${process.env.ELECTRON_SKIP_REASON || binary.reason}`,
  };
}
