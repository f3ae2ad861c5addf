import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benchScripts, judge } from '../../bench/smoke.ts';

const table = 'measure  median\n-------  ------\nexchange  12 ms\n';

describe('bench:smoke', () => {
  it('runs every bench:* script of package.json, a later one included, but not itself', () => {
    const ours = JSON.parse(readFileSync('package.json', 'utf8')) as {
      scripts: Record<string, string>;
    };
    const found = benchScripts(ours);
    expect(found).toEqual(expect.arrayContaining(['bench:core', 'bench:app']));
    expect(found).not.toContain('bench:smoke');
    expect(
      benchScripts({
        scripts: { test: 'x', 'bench:core': 'x', 'bench:smoke': 'x', 'bench:network': 'x' },
      }),
    ).toEqual(['bench:core', 'bench:network']);
  });

  it('accepts a run that exits 0 and ends with its one JSON line', () => {
    expect(judge('bench:core', 0, `${table}{"bench":"core","ratio":1.1}\n`)).toEqual({
      status: 'ok',
      result: { bench: 'core', ratio: 1.1 },
    });
  });

  it('reports a benchmark that cannot run here as skipped, with its reason', () => {
    const reason = 'Electron 45.5.0 download from github.com failed after 3.1 s: ENOTFOUND';
    expect(
      judge(
        'bench:electron-start',
        0,
        `skipped\n${JSON.stringify({ bench: 'electron-start', skipped: reason })}\n`,
      ),
    ).toMatchObject({ status: 'skipped', reason });
  });

  it.each([
    ['a non-zero exit', 1, `${table}{"bench":"core"}\n`, 'exited with 1'],
    ['a hang', 'no end within 5 min', '', 'no end within 5 min'],
    ['no JSON line', 0, table, 'printed 0 JSON lines'],
    ['two JSON lines', 0, `{"bench":"core"}\n{"bench":"core"}\n`, 'printed 2 JSON lines'],
    ['a JSON line that is not last', 0, `{"bench":"core"}\n${table}`, 'not the last line'],
    ['a line that is not JSON', 0, `{"bench":"core",\n`, 'not JSON'],
    ['another benchmark named', 0, `{"bench":"app"}\n`, 'names bench "app", expected "core"'],
  ])('fails a run with %s', (_case, exit, stdout, reason) => {
    const outcome = judge('bench:core', exit, stdout);
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.reason).toContain(reason);
  });
});
