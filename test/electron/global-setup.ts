/**
 * Says once, in one line, why the Electron suite is skipped (each test also skips with that reason).
 */
import { findElectronBinary } from './electron-binary.ts';
import { PROJECT_ROOT } from './paths.ts';

export default function globalSetup(): void {
  const binary = findElectronBinary({ projectRoot: PROJECT_ROOT });
  if (!binary.found) console.log(binary.reason);
}
