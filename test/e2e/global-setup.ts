/**
 * Before the e2e run: marks when it started, so scripts/readme-screenshots.ts copies only pictures
 * this run made (a screenshot left from an earlier run is not a current picture of the app).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { RUN_STARTED, SCREENSHOTS_DIR } from '../../scripts/readme-screenshots.ts';

export default function globalSetup(): void {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  writeFileSync(RUN_STARTED, `${new Date().toISOString()}\n`);
}
