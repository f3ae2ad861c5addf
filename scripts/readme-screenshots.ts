/**
 * README's pictures come from the end-to-end run, so they cannot go stale (issue 22, L12).
 * `npm test` runs this right after the whole e2e suite: each picture the README shows is copied from
 * the screenshot an e2e test saved in this run (test-results/screenshots/, see test/e2e/fixtures.ts)
 * into docs/screenshots/. A picture the run did not make (a test renamed or gone) fails the run,
 * naming it, rather than leaving an old picture in place.
 *
 *   npm run docs:screenshots          copy, after a full `npm run test:e2e`
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const SCREENSHOTS_DIR = path.join(root, 'test-results', 'screenshots');
export const DOCS_DIR = path.join(root, 'docs', 'screenshots');
/** Written by the e2e run's global setup (test/e2e/global-setup.ts): when this run started. */
export const RUN_STARTED = path.join(SCREENSHOTS_DIR, '.e2e-run-started');

/** docs/screenshots/<name> ← test-results/screenshots/<name>, as the tests save them. */
export const README_SCREENSHOTS: Readonly<Record<string, string>> = {
  'home-signed-out-wide.png': 'home-signed-out-wide.png', // pages.spec.ts
  'profile-signed-in-wide.png': 'profile-signed-in-wide.png', // pages.spec.ts
  'menu-open-narrow.png': 'menu-open-narrow.png', // pages.spec.ts
  'signing-in.png': 'signing-in.png', // journeys.spec.ts
  'admin-permission-denied.png': 'admin-permission-denied.png', // journeys.spec.ts
  'settings-wide.png': 'settings-checked-wide.png', // settings.spec.ts
  'settings-demo-addresses.png': 'settings-demo-addresses-wide.png', // settings-edges.spec.ts
  'sign-in-code.png': 'focus-sign-in-code.png', // focus.spec.ts
  'devstack-login.png': 'devstack-login.png', // sign-in-small-edges.spec.ts
  'account-menu.png': 'accounts-menu-open-wide.png', // accounts.spec.ts
};

/** The pictures README.md shows, by file name. */
export function readmePictures(readme: string): string[] {
  return [...readme.matchAll(/\(docs\/screenshots\/([^)\s]+)\)/g)].map((match) => match[1]!);
}

/** Copies what this run made; returns the pictures it could not (missing, or from an earlier run). */
export function copyReadmeScreenshots(): string[] {
  const started = existsSync(RUN_STARTED) ? statSync(RUN_STARTED).mtimeMs : Infinity;
  const missing: string[] = [];
  mkdirSync(DOCS_DIR, { recursive: true });
  for (const [picture, source] of Object.entries(README_SCREENSHOTS)) {
    const from = path.join(SCREENSHOTS_DIR, source);
    if (!existsSync(from) || statSync(from).mtimeMs < started) {
      missing.push(`${picture} (test-results/screenshots/${source})`);
      continue;
    }
    copyFileSync(from, path.join(DOCS_DIR, picture));
  }
  return missing;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const unknown = readmePictures(readFileSync(path.join(root, 'README.md'), 'utf8')).filter(
    (picture) => !(picture in README_SCREENSHOTS),
  );
  const missing = copyReadmeScreenshots();
  if (unknown.length > 0)
    console.error(`README.md shows pictures no e2e test makes: ${unknown.join(', ')}`);
  if (missing.length > 0)
    console.error(`This e2e run did not make these README pictures: ${missing.join(', ')}`);
  if (unknown.length > 0 || missing.length > 0) process.exit(1);
  console.log(
    `README screenshots: ${Object.keys(README_SCREENSHOTS).length} copied into docs/screenshots/`,
  );
}
