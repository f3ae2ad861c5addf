/**
 * Figures for the edges of signing in (issue 11): how long Log In takes to say "cannot reach the
 * sign-in service" when the provider stopped after the app discovered it, next to a provider that
 * accepts connections and never answers (the preflight's bound), and a provider that answers.
 * Each figure is the whole `session.login()` (or the preflight alone) through the real core.
 *
 * Run: npm run bench:sign-in-edges  (node bench/sign-in-edges.ts); BENCH_QUICK=1: one run of each.
 */
import { createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startDevstack, type Devstack } from '../devstack/index.ts';
import { checkProviderAnswers, PREFLIGHT_TIMEOUT_MS } from '../src-main/core/oidc.ts';
import { connected } from '../test/support/transport.ts';
import { configFor, createTestCore } from '../test/support/core-harness.ts';
import { closedPort } from '../test/support/ports.ts';
import { median, ms, printResult, printTable, QUICK, round, runBench, samples } from './support.ts';

const SAMPLES = samples(5, 1);
let devstack: Devstack | undefined;
const sockets = new Set<Socket>();
const silent = createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function main(): Promise<void> {
  devstack = await startDevstack({ quiet: true });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
  const silentIssuer = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;

  // A running app: discovery cached by a first sign-in, then the provider stops.
  const stopped = await startDevstack({ quiet: true });
  const test = createTestCore(configFor(stopped));
  await test.core.restore();
  const opened = test.nextOpened();
  const first = test.core.session.login();
  await opened;
  test.core.session.cancel();
  await first;
  await stopped.close();
  const loginStopped: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    loginStopped.push(
      await timed(async () => {
        const result = await test.core.session.login();
        if (result.ok || result.error.code !== 'provider_unreachable')
          throw new Error(`unexpected: ${JSON.stringify(result)}`);
      }),
    );
  }
  await test.core.close();

  const preflight = async (issuer: string, expectOk: boolean) => {
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      samples.push(
        await timed(() =>
          checkProviderAnswers(connected(configFor({ ...devstack!, issuer }))).then(
            () => {
              if (!expectOk) throw new Error('answered');
            },
            (error: unknown) => {
              if (expectOk) throw error;
            },
          ),
        ),
      );
    }
    return samples;
  };
  const answering = await preflight(devstack.issuer, true);
  const refused = await preflight(`http://127.0.0.1:${await closedPort()}`, false);
  const hung = await preflight(silentIssuer, false);

  console.log(
    `Sign-in edges: median of ${SAMPLES} runs each; preflight bound ${PREFLIGHT_TIMEOUT_MS} ms${QUICK ? ' (BENCH_QUICK=1: figures not meaningful)' : ''}\n`,
  );
  printTable(
    ['case', 'median', 'max'],
    [
      [
        'Log In, provider stopped after start (whole login())',
        ms(median(loginStopped)),
        ms(Math.max(...loginStopped)),
      ],
      ['preflight, provider answering', ms(median(answering)), ms(Math.max(...answering))],
      [
        'preflight, provider stopped (connection refused)',
        ms(median(refused)),
        ms(Math.max(...refused)),
      ],
      [
        'preflight, provider silent (accepts, never answers)',
        ms(median(hung)),
        ms(Math.max(...hung)),
      ],
    ],
  );
  const figures = (times: number[]) => ({
    medianMs: round(median(times)),
    maxMs: round(Math.max(...times)),
  });
  printResult({
    bench: 'sign-in-edges',
    n: SAMPLES,
    preflightBoundMs: PREFLIGHT_TIMEOUT_MS,
    loginProviderStopped: figures(loginStopped),
    preflightAnswering: figures(answering),
    preflightRefused: figures(refused),
    preflightSilent: figures(hung),
  });
}

await runBench('bench:sign-in-edges', main, async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  await devstack?.close();
});
