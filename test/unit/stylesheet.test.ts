/**
 * The stylesheets: one per component or page, all imported by `src-renderer/styles/index.css`.
 *
 * No rule left open. CSS closes open blocks at the end of the file without an error, and with
 * nesting every rule after a missing `}` silently becomes a nested rule that matches nothing: a
 * merge once left two open and the Settings page and the sign-in code screen lost their styles.
 * A file nobody imports styles nothing, and a breakpoint written a pixel off (639.98px and 640px)
 * or a token defined twice drifts: these are checked here too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const renderer = fileURLToPath(new URL('../../src-renderer/', import.meta.url));
const stylesDir = path.join(renderer, 'styles');
const index = path.join(stylesDir, 'index.css');
const tokens = path.join(stylesDir, 'tokens.css');

/** Every .css file under src-renderer, as paths relative to it. */
function stylesheets(): string[] {
  return readdirSync(renderer, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.css'))
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

const read = (relative: string): string => readFileSync(path.join(renderer, relative), 'utf8');
const withoutComments = (css: string): string => css.replace(/\/\*[\s\S]*?\*\//g, '');

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

/** A custom property's declaration (not `.button--primary:hover`). */
const declaration = /(?:^|[{;])\s*(--[\w-]+)\s*:/gm;

/** The two breakpoints, read from their one definition in tokens.css. */
function breakpointQueries(tokensCss: string): string[] {
  const value = (name: string): string => {
    const match = new RegExp(`--breakpoint-${name}:\\s*(\\d+px);`).exec(tokensCss);
    if (!match) throw new Error(`tokens.css defines no --breakpoint-${name}`);
    return match[1]!;
  };
  return [`(width <= ${value('narrow')})`, `(width < ${value('nav')})`];
}

/** Every @media that depends on the width but is not written as one of the breakpoint queries. */
function offBreakpoint(css: string, allowed: string[]): string[] {
  return [...withoutComments(css).matchAll(/@media\s+([^{]+?)\s*{/g)]
    .map((match) => match[1]!)
    .filter((query) => /width/.test(query) && !allowed.includes(query));
}

describe('every stylesheet', () => {
  it.each(stylesheets())('%s closes every rule before the next top-level rule starts', (file) => {
    expect(rulesInsideOpenBlocks(read(file))).toEqual([]);
  });

  it('the check finds a rule left open', () => {
    expect(rulesInsideOpenBlocks('.a {\n  color: red;\n\n.b {\n  color: blue;\n}\n')).toEqual([
      '4: .b {',
      'end of file: 1 block(s) still open',
    ]);
  });

  it('is imported by styles/index.css exactly once, and index.html links only the index', () => {
    const imported = [...withoutComments(read('styles/index.css')).matchAll(/@import '([^']+)';/g)]
      .map((match) => path.relative(renderer, path.resolve(stylesDir, match[1]!)))
      .map((file) => file.split(path.sep).join('/'));
    const others = stylesheets().filter((file) => file !== 'styles/index.css');
    expect([...imported].sort()).toEqual(others);
    expect(new Set(imported).size).toBe(imported.length);
    const links = [...read('index.html').matchAll(/<link rel="stylesheet" href="([^"]+)"/g)];
    expect(links.map((match) => path.resolve(renderer, match[1]!))).toEqual([index]);
  });

  it('uses one of the two breakpoints of tokens.css, written the same way', () => {
    const allowed = breakpointQueries(readFileSync(tokens, 'utf8'));
    expect(allowed).toEqual(['(width <= 640px)', '(width < 1040px)']);
    const found = stylesheets().flatMap((file) =>
      offBreakpoint(read(file), allowed).map((query) => `${file}: ${query}`),
    );
    expect(found).toEqual([]);
  });

  it('the breakpoint check finds a query a pixel off or written another way', () => {
    const allowed = ['(width <= 640px)', '(width < 1040px)'];
    const css =
      '@media (max-width: 639.98px) {\n}\n@media (width <= 640px) {\n}\n' +
      '@media (max-width: 640px) {\n}\n@media (prefers-reduced-motion: reduce) {\n}\n';
    expect(offBreakpoint(css, allowed)).toEqual(['(max-width: 639.98px)', '(max-width: 640px)']);
  });

  it('defines custom properties only in tokens.css, and uses only those it defines', () => {
    const defined = new Set(
      [...withoutComments(read('styles/tokens.css')).matchAll(declaration)].map((m) => m[1]),
    );
    const problems = stylesheets().flatMap((file) => {
      const css = withoutComments(read(file));
      const definedHere =
        file === 'styles/tokens.css'
          ? []
          : [...css.matchAll(declaration)].map((m) => `${file} defines ${m[1]}`);
      const unknown = [...css.matchAll(/var\((--[\w-]+)/g)]
        .filter((m) => !defined.has(m[1]))
        .map((m) => `${file} uses undefined ${m[1]}`);
      return [...definedHere, ...unknown];
    });
    expect(problems).toEqual([]);
  });
});
