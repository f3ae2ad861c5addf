/**
 * How long Check connection takes (issue 8): the Settings page's check, as the core host runs it,
 * against the real devstack (every line passes) and against a provider that is not there (every line
 * fails fast with ECONNREFUSED); per-line timing is not split out: the lines run side by side after
 * discovery. Prints median, p90 and max over a few samples; run after nothing else is busy.
 *
 * Run: npm run bench:settings (node bench/settings.ts); BENCH_QUICK=1 for a few samples without warm-up.
 */
import { performance } from 'node:perf_hooks';
import { startDevstack, type Devstack } from '../devstack/index.ts';
import { parseConfig } from '../src-main/core/config.ts';
import { checkConnection } from '../src-main/core/connection-check.ts';
import { closedPort } from '../test/support/ports.ts';
import {
  benchHeader,
  median,
  ms,
  printResult,
  printTable,
  quantile,
  QUICK,
  round,
  runBench,
  samples,
} from './support.ts';
import { envTransport } from '../test/support/transport.ts';

const SAMPLES = samples(15, 2);
let devstack: Devstack | undefined;

async function sample(
  settings: Parameters<typeof parseConfig>[0],
): Promise<{ times: number[]; passed: number; lines: number }> {
  const config = parseConfig(settings);
  const times: number[] = [];
  let passed = 0;
  let lines = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    const checks = await checkConnection(config, envTransport());
    times.push(performance.now() - start);
    passed = checks.filter((line) => line.passed).length;
    lines = checks.length;
  }
  return { times, passed, lines };
}

await runBench(
  'bench:settings',
  async () => {
    devstack = await startDevstack({ quiet: true });
    const settings = {
      AUTH0_DOMAIN: devstack.issuer,
      AUTH0_CLIENT_ID: devstack.clientId,
      AUTH0_AUDIENCE: devstack.audience,
      API_SERVER_URL: devstack.apiUrl,
    };
    // One unmeasured run: the devstack's first discovery and JWKS answers build caches.
    if (!QUICK) await checkConnection(parseConfig(settings), envTransport());
    const up = await sample(settings);
    const port = await closedPort();
    const down = await sample({
      ...settings,
      AUTH0_DOMAIN: `http://127.0.0.1:${port}`,
      API_SERVER_URL: `http://127.0.0.1:${port}`,
    });
    console.log(benchHeader('bench:settings', `Check connection, ${SAMPLES} samples each`));
    printTable(
      ['target', 'lines passed', 'median', 'p90', 'max'],
      [
        [
          'devstack (all up)',
          `${up.passed}/${up.lines}`,
          ms(median(up.times)),
          ms(quantile(up.times, 0.9)),
          ms(Math.max(...up.times)),
        ],
        [
          'provider and API down',
          `${down.passed}/${down.lines}`,
          ms(median(down.times)),
          ms(quantile(down.times, 0.9)),
          ms(Math.max(...down.times)),
        ],
      ],
    );
    console.log(
      `\n${QUICK ? 'BENCH_QUICK=1: a few samples, figures not meaningful. ' : ''}Bound: 10 s per request (AbortSignal.timeout); discovery first, then the other six side by side.`,
    );
    const figures = (run: typeof up) => ({
      passed: run.passed,
      lines: run.lines,
      medianMs: round(median(run.times)),
      p90Ms: round(quantile(run.times, 0.9)),
      maxMs: round(Math.max(...run.times)),
    });
    printResult({ bench: 'settings', n: SAMPLES, devstack: figures(up), down: figures(down) });
  },
  async () => {
    await devstack?.close();
  },
);
