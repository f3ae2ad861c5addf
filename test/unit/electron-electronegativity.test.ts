/**
 * scripts/electronegativity.ts: the annotation format (a reason is mandatory), how findings are
 * matched to annotations, and one real, offline run of @doyensec/electronegativity on a small fixture
 * app, so a change in the tool's output shape cannot make the script pass silently.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  classifyFindings,
  parseAnnotations,
  scan,
  summaryLine,
  type Finding,
} from '../../scripts/electronegativity.ts';

function finding(overrides: Partial<Finding>): Finding {
  return {
    id: 'OPEN_EXTERNAL_JS_CHECK',
    file: 'src-main/a.ts',
    line: 10,
    column: 4,
    description: 'Review the use of openExternal',
    severity: 'MEDIUM',
    confidence: 'TENTATIVE',
    ...overrides,
  };
}

describe('parseAnnotations', () => {
  it('reads line, block, JSX and HTML comments, with one or more check ids and a reason', () => {
    const text = [
      'const a = 1;',
      '  // electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK — only after isBrowserUrl (http/https)',
      '/* electronegativity-ignore: PRELOAD_JS_CHECK, AUXCLICK_JS_CHECK -- our own preload, tested */',
      '{/* electronegativity-ignore: CSP_GLOBAL_CHECK — the bundle is the only script served */}',
      '<!-- electronegativity-ignore: CSP_GLOBAL_CHECK — the bundle is the only script served -->',
    ].join('\n');
    const { annotations, problems } = parseAnnotations('f.ts', text);
    expect(problems).toEqual([]);
    expect(annotations).toEqual([
      {
        file: 'f.ts',
        line: 2,
        checks: ['OPEN_EXTERNAL_JS_CHECK'],
        reason: 'only after isBrowserUrl (http/https)',
      },
      {
        file: 'f.ts',
        line: 3,
        checks: ['PRELOAD_JS_CHECK', 'AUXCLICK_JS_CHECK'],
        reason: 'our own preload, tested',
      },
      {
        file: 'f.ts',
        line: 4,
        checks: ['CSP_GLOBAL_CHECK'],
        reason: 'the bundle is the only script served',
      },
      {
        file: 'f.ts',
        line: 5,
        checks: ['CSP_GLOBAL_CHECK'],
        reason: 'the bundle is the only script served',
      },
    ]);
  });

  it('refuses an annotation without a reason, or with a token one', () => {
    for (const line of [
      '// electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK',
      '// electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK —',
      '// electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK — ok',
      '/* electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK — */',
    ]) {
      const { annotations, problems } = parseAnnotations('f.ts', line);
      expect(annotations, line).toEqual([]);
      expect(problems, line).toHaveLength(1);
    }
  });

  it('refuses malformed annotations instead of ignoring them', () => {
    for (const line of [
      '// electronegativity-ignore OPEN_EXTERNAL_JS_CHECK — missing colon here',
      '// electronegativity-ignore: open_external — lower-case id here',
      'electronegativity-ignore: X_CHECK — not in a comment',
    ]) {
      const { annotations, problems } = parseAnnotations('f.ts', line);
      expect(annotations, line).toEqual([]);
      expect(problems[0]?.message, line).toMatch(/malformed/);
    }
  });

  it("flags electronegativity's own eng-disable, which would hide findings without a reason", () => {
    const { problems } = parseAnnotations(
      'f.ts',
      'const x = 1;\nshell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK',
    );
    expect(problems).toEqual([
      { file: 'f.ts', line: 2, message: expect.stringMatching(/eng-disable/) },
    ]);
  });
});

describe('classifyFindings', () => {
  const annotation = {
    file: 'src-main/a.ts',
    line: 9,
    checks: ['OPEN_EXTERNAL_JS_CHECK'],
    reason: 'only after isBrowserUrl',
  };

  it('explains a finding from the line above it or its own line, in the same file, for the named check', () => {
    const result = classifyFindings([finding({ line: 10 }), finding({ line: 9 })], [annotation]);
    expect(result.explained.map((each) => each.finding.line)).toEqual([10, 9]);
    expect(result.unexplained).toEqual([]);
    expect(result.unused).toEqual([]);
  });

  it('does not explain a finding two lines below, in another file, or of another check', () => {
    const findings = [
      finding({ line: 11 }),
      finding({ file: 'src-main/b.ts' }),
      finding({ id: 'PRELOAD_JS_CHECK' }),
    ];
    const result = classifyFindings(findings, [annotation]);
    expect(result.unexplained).toEqual(findings);
    expect(result.unused).toEqual([
      {
        file: 'src-main/a.ts',
        line: 9,
        message: expect.stringMatching(/OPEN_EXTERNAL_JS_CHECK explains no finding/),
      },
    ]);
  });

  it('can never explain a finding about the whole app (no file, no line)', () => {
    const global = finding({ id: 'LIMIT_NAVIGATION_GLOBAL_CHECK', file: 'N/A', line: 0 });
    expect(
      classifyFindings(
        [global],
        [{ ...annotation, file: 'N/A', line: 0, checks: ['LIMIT_NAVIGATION_GLOBAL_CHECK'] }],
      ).unexplained,
    ).toEqual([global]);
  });

  it('reports each check id of an annotation that explains nothing', () => {
    const both = { ...annotation, checks: ['OPEN_EXTERNAL_JS_CHECK', 'PRELOAD_JS_CHECK'] };
    const result = classifyFindings([finding({ line: 10 })], [both]);
    expect(result.unused.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/^annotation for PRELOAD_JS_CHECK/),
    ]);
  });

  it('summarises in one line', () => {
    const result = classifyFindings([finding({ line: 10 }), finding({ line: 30 })], [annotation]);
    expect(summaryLine(result)).toBe('electronegativity: 2 findings, 1 explained, 1 unexplained');
  });
});

describe('scan (the real tool, offline)', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'electronegativity-fixture-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it(
    'reports an insecure window and an unguarded openExternal, honours annotations, and fetches nothing',
    { timeout: 60_000 },
    async () => {
      mkdirSync(path.join(root, 'src-main'), { recursive: true });
      writeFileSync(
        path.join(root, 'src-main', 'window.ts'),
        [
          "import { BrowserWindow, shell } from 'electron';",
          'export function open(url: string): BrowserWindow {',
          '  void shell.openExternal(url);',
          '  // electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK — fixture: this one is explained',
          '  void shell.openExternal(url);',
          '  return new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });',
          '}',
        ].join('\n'),
      );
      const result = await scan(root);
      expect(result.parseErrors).toEqual([]);
      expect(result.annotationProblems).toEqual([]);
      expect(result.electronVersion).toMatch(/^\d+\.\d+\.\d+$/);
      // Only the translations were asked for, and answered locally; Electron's release list never.
      for (const url of result.networkRequests) expect(url).not.toMatch(/electron\/releases/);

      const classification = classifyFindings(result.findings, result.annotations);
      const unexplained = classification.unexplained.map(
        (each) => `${each.id} ${each.file}:${each.line}`,
      );
      expect(unexplained).toEqual(
        expect.arrayContaining([
          'OPEN_EXTERNAL_JS_CHECK src-main/window.ts:3',
          'NODE_INTEGRATION_JS_CHECK src-main/window.ts:6',
          'CONTEXT_ISOLATION_JS_CHECK src-main/window.ts:6',
          'SANDBOX_JS_CHECK src-main/window.ts:6',
        ]),
      );
      expect(
        classification.explained.map(
          (each) => `${each.finding.id} ${each.finding.file}:${each.finding.line}`,
        ),
      ).toEqual(['OPEN_EXTERNAL_JS_CHECK src-main/window.ts:5']);
    },
  );
});
