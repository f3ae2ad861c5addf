/**
 * The stylesheet has no rule left open. CSS closes open blocks at the end of the file without an error,
 * and with nesting every rule after a missing `}` silently becomes a nested rule that matches nothing:
 * a merge once left two open and the Settings page and the sign-in code screen lost their styles.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const css = readFileSync(
  fileURLToPath(new URL('../../src-renderer/styles/app.css', import.meta.url)),
  'utf8',
);

/** Top-level selectors found while a block is still open, with their line numbers. */
function rulesInsideOpenBlocks(text: string): string[] {
  const found: string[] = [];
  let depth = 0;
  let inComment = false;
  text.split('\n').forEach((line, index) => {
    const code = line.replace(/\/\*.*?\*\//g, '');
    if (inComment) {
      if (code.includes('*/')) inComment = false;
      return;
    }
    if (code.includes('/*')) inComment = true;
    const startsRule = /^[.#a-z:[*@]/i.test(code) && code.trimEnd().endsWith('{');
    if (startsRule && depth > 0 && !/^\s/.test(code)) found.push(`${index + 1}: ${code.trim()}`);
    depth += (code.match(/{/g) ?? []).length - (code.match(/}/g) ?? []).length;
  });
  if (depth !== 0) found.push(`end of file: ${depth} block(s) still open`);
  return found;
}

it('every rule of app.css is closed before the next top-level rule starts', () => {
  expect(rulesInsideOpenBlocks(css)).toEqual([]);
});

it('the check finds a rule left open', () => {
  expect(rulesInsideOpenBlocks('.a {\n  color: red;\n\n.b {\n  color: blue;\n}\n')).toEqual([
    '4: .b {',
    'end of file: 1 block(s) still open',
  ]);
});
