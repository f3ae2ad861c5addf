/**
 * node scripts/electronegativity.ts [--verbose] [--report <file.csv|file.sarif>]
 *
 * Runs @doyensec/electronegativity (Electron security anti-patterns, by AST and DOM parsing) on the
 * app's sources, offline, and fails on any finding that is not explained in the source itself.
 *
 * Electronegativity exits 0 whatever it finds, so its findings are read (from its programmatic API,
 * which also returns the files it could not parse: a file that does not parse was not scanned, and
 * that fails the run too) and each one must be explained by an annotation on the finding's line or
 * on the line above it, in a comment:
 *
 *     // electronegativity-ignore: CHECK_ID — why this is safe, and where that is proved
 *     <!-- electronegativity-ignore: CHECK_ID, OTHER_CHECK_ID — reason -->
 *
 * The reason is mandatory (after an em dash `—` or `--`). An annotation that no longer matches a
 * finding fails the run (it would otherwise silently cover a future one), and so does
 * electronegativity's own `eng-disable` comment, which hides findings without a reason.
 * Fix real findings in code; annotate only what the tool cannot see (see SECURITY.md).
 *
 * Offline and deterministic:
 *   - the scanned files are copied to a temporary folder: src-main, src-preload, src-renderer, and
 *     nothing else (no package.json: the Electron version is passed instead, read from the installed
 *     `electron` package, so no finding depends on a lock file or a registry);
 *   - AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK is excluded: it downloads Electron's release list
 *     (checklist item 16 is held by test/unit/electron-policy.test.ts instead);
 *   - the tool's HTTP client (`got`, used for that list and for translations) is replaced before the
 *     tool loads by one that never touches the network, so nothing is fetched and nothing is printed.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folders scanned, relative to the project root. */
export const SCANNED_DIRS = ['src-main', 'src-preload', 'src-renderer'] as const;
/** Checks not run, lower-case class names as electronegativity takes them. */
export const EXCLUDED_CHECKS = ['availablesecurityfixesglobalcheck'] as const;
/** Extensions electronegativity reads (its own list, minus package/lock files). */
const SCANNED_EXTENSIONS = new Set(['.js', '.jsx', '.ts', '.tsx', '.html', '.htm']);
/** A reason shorter than this is not a reason. */
export const MIN_REASON_LENGTH = 10;

export interface Finding {
  id: string;
  /** Relative to the project root, with forward slashes; "N/A" for a finding about the whole app. */
  file: string;
  /** 1-based; 0 when the finding has no line (a global check about the whole app). */
  line: number;
  column: number;
  description: string;
  severity: string;
  confidence: string;
}

export interface Annotation {
  file: string;
  /** 1-based line of the comment. */
  line: number;
  checks: string[];
  reason: string;
}

export interface Problem {
  file: string;
  line: number;
  message: string;
}

const MARKER = 'electronegativity-ignore';
/** `// …`, `/* … *\/`, `{/* … *\/}` (JSX) or `<!-- … -->`, then the check ids, a dash and the reason. */
const ANNOTATION = new RegExp(
  String.raw`(?:\/\/|\/\*|<!--)\s*${MARKER}:\s*(?<checks>[A-Z0-9_]+(?:\s*,\s*[A-Z0-9_]+)*)\s*(?:—|--)\s*(?<reason>.*?)\s*(?:\*\/\}?|-->)?\s*$`,
);

/** Every annotation in one file's text, and every line that mentions the marker without being one. */
export function parseAnnotations(
  file: string,
  text: string,
): { annotations: Annotation[]; problems: Problem[] } {
  const annotations: Annotation[] = [];
  const problems: Problem[] = [];
  text.split(/\r?\n/).forEach((content, index) => {
    const line = index + 1;
    if (/\beng-disable\b/.test(content)) {
      problems.push({
        file,
        line,
        message: `electronegativity's "eng-disable" hides findings without a reason; use "// ${MARKER}: CHECK_ID — reason"`,
      });
    }
    if (!content.includes(MARKER)) return;
    const match = ANNOTATION.exec(content);
    if (!match?.groups) {
      problems.push({
        file,
        line,
        message: `malformed annotation; expected "// ${MARKER}: CHECK_ID — reason"`,
      });
      return;
    }
    const reason = match.groups.reason?.trim() ?? '';
    if (reason.length < MIN_REASON_LENGTH) {
      problems.push({
        file,
        line,
        message: `annotation without a reason (at least ${MIN_REASON_LENGTH} characters after the dash)`,
      });
      return;
    }
    const checks = (match.groups.checks ?? '').split(',').map((check) => check.trim());
    annotations.push({ file, line, checks, reason });
  });
  return { annotations, problems };
}

export interface Classification {
  explained: { finding: Finding; annotation: Annotation }[];
  unexplained: Finding[];
  /** Annotations (per check id) that explain no finding. */
  unused: Problem[];
}

/** A finding at line N is explained by an annotation naming its check at line N or N - 1 of its file. */
export function classifyFindings(
  findings: readonly Finding[],
  annotations: readonly Annotation[],
): Classification {
  const used = new Set<string>();
  const explained: Classification['explained'] = [];
  const unexplained: Finding[] = [];
  for (const finding of findings) {
    const annotation =
      finding.line > 0
        ? annotations.find(
            (each) =>
              each.file === finding.file &&
              each.checks.includes(finding.id) &&
              (each.line === finding.line || each.line === finding.line - 1),
          )
        : undefined;
    if (annotation) {
      explained.push({ finding, annotation });
      used.add(`${annotation.file}:${annotation.line}:${finding.id}`);
    } else {
      unexplained.push(finding);
    }
  }
  const unused: Problem[] = [];
  for (const annotation of annotations) {
    for (const check of annotation.checks) {
      if (!used.has(`${annotation.file}:${annotation.line}:${check}`)) {
        unused.push({
          file: annotation.file,
          line: annotation.line,
          message: `annotation for ${check} explains no finding: remove it`,
        });
      }
    }
  }
  return { explained, unexplained, unused };
}

/** The summary line printed last. */
export function summaryLine(classification: Classification): string {
  const total = classification.explained.length + classification.unexplained.length;
  return `electronegativity: ${total} findings, ${classification.explained.length} explained, ${classification.unexplained.length} unexplained`;
}

// ---------------------------------------------------------------------------------------------------
// Running the tool

/** The shape of one issue in electronegativity's programmatic result (dist/runner.js). */
interface EngineIssue {
  id: string;
  file: string;
  location: { line: number; column: number };
  description: string;
  severity?: { name?: string };
  confidence?: { name?: string };
}

interface EngineResult {
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: EngineIssue[];
}

type EngineRun = (options: Record<string, unknown>) => Promise<EngineResult>;

/**
 * A stand-in for `got` that answers every request with a 404 without opening a socket: the
 * translations request then keeps the bundled en-US strings silently. Returns the URLs it was asked.
 */
function installOfflineHttpClient(engineRequire: NodeJS.Require, engineDir: string): string[] {
  const requested: string[] = [];
  const answer = async (url: unknown) => {
    requested.push(String(url));
    return { statusCode: 404, body: '', headers: {} };
  };
  const offlineGot = Object.assign(answer, { head: answer, get: answer });
  // Every module of the tool resolves `got` to the same file; resolve from each that uses it anyway.
  const users = [
    path.join(engineDir, 'dist', 'locales', 'i18n.js'),
    path.join(
      engineDir,
      'dist',
      'finder',
      'checks',
      'GlobalChecks',
      'AvailableSecurityFixesGlobalCheck.js',
    ),
  ];
  for (const user of users) {
    const gotPath = createRequire(user).resolve('got');
    const stub = new Module(gotPath);
    stub.filename = gotPath;
    stub.loaded = true;
    stub.exports = offlineGot;
    engineRequire.cache[gotPath] = stub;
  }
  return requested;
}

function copySources(root: string, stage: string): void {
  for (const dir of SCANNED_DIRS) {
    const from = path.join(root, dir);
    if (!existsSync(from)) continue;
    cpSync(from, path.join(stage, dir), {
      recursive: true,
      filter: (source) => !source.split(path.sep).includes('node_modules'),
    });
  }
}

function listFiles(dir: string, base = dir): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(full, base));
    else if (SCANNED_EXTENSIONS.has(path.extname(entry.name).toLowerCase()))
      files.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return files;
}

export interface ScanResult {
  findings: Finding[];
  /** Files electronegativity could not parse (not scanned). */
  parseErrors: Problem[];
  annotations: Annotation[];
  annotationProblems: Problem[];
  electronVersion: string;
  networkRequests: string[];
}

export async function scan(root: string, options: { report?: string } = {}): Promise<ScanResult> {
  const require = createRequire(import.meta.url);
  const engineMain = require.resolve('@doyensec/electronegativity');
  const engineDir = path.resolve(path.dirname(engineMain), '..');
  const engineRequire = createRequire(engineMain);
  const electronVersion = (
    JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

  const networkRequests = installOfflineHttpClient(engineRequire, engineDir);
  const run = engineRequire(engineMain) as EngineRun;

  const stage = mkdtempSync(path.join(os.tmpdir(), 'electronegativity-'));
  try {
    copySources(root, stage);
    const result = await run({
      input: stage,
      electronVersionOverride: electronVersion,
      excludeFromScan: [...EXCLUDED_CHECKS],
      customScan: [],
      isRelative: Boolean(options.report),
      ...(options.report
        ? { output: path.resolve(options.report), isSarif: options.report.endsWith('.sarif') }
        : {}),
    });
    const relative = (file: string) =>
      (path.isAbsolute(file) ? path.relative(stage, file) : file).split(path.sep).join('/');

    const findings: Finding[] = result.issues.map((issue) => ({
      id: issue.id,
      file: relative(issue.file),
      line: issue.location?.line ?? 0,
      column: issue.location?.column ?? 0,
      description: issue.description,
      severity: issue.severity?.name ?? '?',
      confidence: issue.confidence?.name ?? '?',
    }));
    const parseErrors: Problem[] = result.errors
      .filter((error) => !error.tolerable)
      .map((error) => ({
        file: relative(error.file),
        line: 0,
        message: `could not be parsed, so it was not scanned: ${error.message}`,
      }));

    const annotations: Annotation[] = [];
    const annotationProblems: Problem[] = [];
    for (const file of listFiles(stage)) {
      const parsed = parseAnnotations(file, readFileSync(path.join(stage, file), 'utf8'));
      annotations.push(...parsed.annotations);
      annotationProblems.push(...parsed.problems);
    }
    return {
      findings,
      parseErrors,
      annotations,
      annotationProblems,
      electronVersion,
      networkRequests,
    };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function where(item: { file: string; line: number; column?: number }): string {
  if (item.line <= 0) return item.file;
  return item.column !== undefined
    ? `${item.file}:${item.line}:${item.column}`
    : `${item.file}:${item.line}`;
}

async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const reportIndex = argv.indexOf('--report');
  const report = reportIndex >= 0 ? argv[reportIndex + 1] : undefined;
  if (reportIndex >= 0 && (!report || !/\.(csv|sarif)$/.test(report))) {
    console.error('--report needs a file name ending in .csv or .sarif');
    return 2;
  }
  const root = fileURLToPath(new URL('..', import.meta.url));
  const started = Date.now();
  const result = await scan(root, report ? { report } : {});
  const classification = classifyFindings(result.findings, result.annotations);

  if (verbose) {
    console.log(
      `electronegativity: scanned ${SCANNED_DIRS.join(', ')} as Electron ${result.electronVersion}, offline (${result.networkRequests.length} requests answered locally)`,
    );
    for (const { finding, annotation } of classification.explained) {
      console.log(`  explained ${finding.id} ${where(finding)}: ${annotation.reason}`);
    }
  }
  for (const finding of classification.unexplained) {
    console.log(
      `  UNEXPLAINED ${finding.id} (${finding.severity}/${finding.confidence}) ${where(finding)}: ${finding.description}`,
    );
  }
  for (const problem of [
    ...result.parseErrors,
    ...result.annotationProblems,
    ...classification.unused,
  ]) {
    console.log(`  ERROR ${where(problem)}: ${problem.message}`);
  }
  const problems =
    result.parseErrors.length + result.annotationProblems.length + classification.unused.length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (classification.unexplained.length > 0) {
    console.log(
      `Fix each unexplained finding in code, or explain it where it is found: // ${MARKER}: CHECK_ID — reason`,
    );
  }
  // One stream, so the lines stay in order in a CI log.
  console.log(
    `${summaryLine(classification)}${problems > 0 ? `, ${problems} errors` : ''} (${seconds} s)`,
  );
  return classification.unexplained.length > 0 || problems > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // exitCode, not exit(): the tool writes --report asynchronously, and the write must finish.
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = 1;
    },
  );
}
