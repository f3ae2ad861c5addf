/**
 * README's pictures cannot go stale (issue 22, L12): each one it shows is made by an e2e test and
 * copied by scripts/readme-screenshots.ts (`npm run docs:screenshots`) right after the e2e run in
 * `npm test`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCS_DIR, README_SCREENSHOTS, readmePictures } from '../../scripts/readme-screenshots.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README screenshots', () => {
  it('every picture README.md shows is one the e2e run makes, and is in docs/screenshots', () => {
    const pictures = readmePictures(readme);
    expect(pictures.length).toBeGreaterThan(0);
    for (const picture of pictures) {
      expect(Object.keys(README_SCREENSHOTS), picture).toContain(picture);
      expect(existsSync(path.join(DOCS_DIR, picture)), picture).toBe(true);
    }
  });

  it('npm test copies them right after the e2e run', () => {
    const scripts = (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts['docs:screenshots']).toBe('node scripts/readme-screenshots.ts');
    expect(scripts.test).toMatch(/&& npm run test:e2e && npm run docs:screenshots$/);
  });
});
