/**
 * Says once, in one line, why the Electron suite is skipped (each test also skips with that reason),
 * or fails at once where REQUIRE_ELECTRON=1 says it must run; and, where it runs, whether without
 * the OS sandbox and why.
 */
import { electronForTests, electronRequired, sandboxForTests } from './skip.ts';

export default function globalSetup(): void {
  const binary = electronForTests();
  if (!binary.found) {
    if (electronRequired)
      throw new Error(`REQUIRE_ELECTRON=1, but the Electron suite cannot run. ${binary.reason}`);
    console.log(binary.reason);
    return;
  }
  const sandbox = sandboxForTests(binary.executablePath);
  if (sandbox.line) console.log(sandbox.line);
}
