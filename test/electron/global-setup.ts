/**
 * Says once, in one line, why the Electron suite is skipped (each test also skips with that reason).
 */
import { electronForTests } from './skip.ts';

export default function globalSetup(): void {
  const binary = electronForTests();
  if (!binary.found) console.log(binary.reason);
}
