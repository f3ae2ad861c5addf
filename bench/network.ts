/**
 * Benchmark (issue 18): what a company proxy costs. One devstack over HTTPS under idp.corp.test and
 * api.corp.test, Debian's Chromium as the user's browser (through a proxy of its own), and
 * two Node transports as the app builds them: direct (the names mapped to 127.0.0.1 in place of
 * DNS) and through the local CONNECT proxy (test/support/proxy.ts, which resolves them).
 *
 *   1. Token exchange: openid-client's `authorizationCodeGrant` (the sign-in's code for tokens, with
 *      the ID token's signature checked against the JWKS) through each transport, every sample with
 *      a fresh code from the browser (held before it reaches a receiver: CallbackCatcher).
 *   2. One message: GET /api/messages/protected with the access token, through axios with the
 *      transport as its fetch, as MessageService sends it.
 *   Samples alternate direct and proxied, after a warm-up; median of 20 each, and the ratio.
 *   3. CONNECTs per sign-in: a fresh transport (no connection yet) does discovery, the JWKS, the
 *      exchange and a message: how many tunnels the proxy opened (connections reused: one per host).
 *
 * Run: npm run bench:network  (node bench/network.ts); BENCH_QUICK=1 for a few samples.
 */
import { performance } from 'node:perf_hooks';
import axios from 'axios';
import * as client from 'openid-client';
import type { Browser, BrowserContext } from 'playwright-core';
import { startDevstack, type Devstack } from '../devstack/index.ts';
import {
  createNodeTransport,
  type NodeTransport,
} from '../src-main/core/network/node-transport.ts';
import {
  NO_PROXY_CONFIG,
  parseProxySetting,
  proxyConfigFrom,
} from '../src-main/core/network/proxy-settings.ts';
import { alice } from '../test/support/accounts.ts';
import { startTestProxy, type TestProxy } from '../test/support/proxy.ts';
import { launchSystemBrowser } from '../test/support/system-browser.ts';
import {
  CallbackCatcher,
  median,
  ms,
  printResult,
  printTable,
  QUICK,
  round,
  runBench,
  samples,
} from './support.ts';

const HOSTS = { 'idp.corp.test': '127.0.0.1', 'api.corp.test': '127.0.0.1' };
const WARMUP = samples(3, 0);
const SAMPLES = samples(20, 3);
/** The browser's redirect to this port is held by the catcher: nothing listens there. */
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

let devstack: Devstack | undefined;
let proxy: TestProxy | undefined;
let browserProxy: TestProxy | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
const transports: NodeTransport[] = [];

function transport(kind: 'direct' | 'proxied'): NodeTransport {
  const made = createNodeTransport({
    proxy: kind === 'direct' ? NO_PROXY_CONFIG : proxyConfigFrom(parseProxySetting(proxy!.url), {}),
    extraCaCertificates: [devstack!.tls!.caPem],
    hosts: HOSTS,
  });
  transports.push(made);
  return made;
}

interface Way {
  kind: 'direct' | 'proxied';
  configuration: client.Configuration;
  api: ReturnType<typeof axios.create>;
}

async function wayThrough(kind: Way['kind'], via = transport(kind)): Promise<Way> {
  const configuration = await client.discovery(
    new URL(devstack!.issuer),
    devstack!.clientId,
    { token_endpoint_auth_method: 'none' },
    client.None(),
    {
      [client.customFetch]: via.fetchFor('AUTH0_DOMAIN'),
      execute: [client.enableNonRepudiationChecks],
    },
  );
  const api = axios.create({
    baseURL: devstack!.apiUrl,
    adapter: 'fetch',
    env: { fetch: via.fetchFor('API_SERVER_URL') },
    maxRedirects: 0,
    validateStatus: () => true,
  });
  return { kind, configuration, api };
}

async function main(): Promise<void> {
  const started = performance.now();
  devstack = await startDevstack({
    quiet: true,
    tls: { idpHost: 'idp.corp.test', apiHost: 'api.corp.test' },
  });
  proxy = await startTestProxy({ hosts: HOSTS });
  // The browser reaches the provider through a proxy of its own (the measured one logs only the
  // app's requests); the catcher's requests use the context's proxy too.
  browserProxy = await startTestProxy({ hosts: HOSTS });
  browser = await launchSystemBrowser();
  const direct = await wayThrough('direct');
  const proxied = await wayThrough('proxied');
  context = await browser.newContext({
    proxy: { server: browserProxy.url },
    ignoreHTTPSErrors: true,
  });
  const catcher = await CallbackCatcher.install(
    context,
    direct.configuration.serverMetadata().authorization_endpoint!,
  );
  const page = await context.newPage();

  /** One sign-in's code exchange and one message through `way`: the two times. */
  async function sample(way: Way): Promise<{ exchange: number; message: number }> {
    const checks = {
      pkceCodeVerifier: client.randomPKCECodeVerifier(),
      expectedState: client.randomState(),
      expectedNonce: client.randomNonce(),
    };
    const url = client.buildAuthorizationUrl(way.configuration, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email offline_access',
      audience: devstack!.audience,
      code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
      code_challenge_method: 'S256',
      state: checks.expectedState,
      nonce: checks.expectedNonce,
    });
    const callbackUrl = new URL(await catcher.authorize(page, url.href, alice));
    const t0 = performance.now();
    const tokens = await client.authorizationCodeGrant(way.configuration, callbackUrl, {
      ...checks,
      idTokenExpected: true,
    });
    const t1 = performance.now();
    const answer = await way.api.get('/api/messages/protected', {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    const t2 = performance.now();
    if (answer.status !== 200) throw new Error(`the API answered ${answer.status} (${way.kind})`);
    return { exchange: t1 - t0, message: t2 - t1 };
  }

  const all = {
    direct: { exchange: [] as number[], message: [] as number[] },
    proxied: { exchange: [] as number[], message: [] as number[] },
  };
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const order = i % 2 === 0 ? [direct, proxied] : [proxied, direct];
    for (const way of order) {
      const { exchange, message } = await sample(way);
      if (i < WARMUP) continue;
      all[way.kind].exchange.push(exchange);
      all[way.kind].message.push(message);
    }
  }

  // A sign-in from nothing: discovery, JWKS, the exchange and a message on a fresh transport.
  proxy.clear();
  const fresh = await wayThrough('proxied');
  await sample(fresh);
  const connectLines = proxy.lines().filter((line) => line.startsWith('CONNECT '));
  const connects = connectLines.length;
  const otherLines = proxy.lines().length - connects;
  const perHost = [...new Set(connectLines)]
    .map((line) => `${connectLines.filter((each) => each === line).length} × ${line.slice(8)}`)
    .join(', ');

  const exchangeRatio = median(all.proxied.exchange) / median(all.direct.exchange);
  const messageRatio = median(all.proxied.message) / median(all.direct.message);
  printTable(
    ['measure (median of ' + SAMPLES + ')', 'direct', 'via proxy', 'ratio'],
    [
      [
        'token exchange (authorizationCodeGrant)',
        ms(median(all.direct.exchange)),
        ms(median(all.proxied.exchange)),
        exchangeRatio.toFixed(3),
      ],
      [
        'one message (GET /api/messages/protected)',
        ms(median(all.direct.message)),
        ms(median(all.proxied.message)),
        messageRatio.toFixed(3),
      ],
    ],
  );
  console.log(
    `\nCONNECTs for one sign-in on a fresh transport (discovery, JWKS, exchange, message): ${connects}` +
      ` (${perHost}; other proxy lines: ${otherLines})` +
      `\n(${QUICK ? 'BENCH_QUICK=1: a few samples, figures not meaningful; ' : ''}${WARMUP} warm-up rounds not counted; wall time ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  printResult({
    bench: 'network',
    exchangeDirectMs: round(median(all.direct.exchange)),
    exchangeProxiedMs: round(median(all.proxied.exchange)),
    exchangeRatio: round(exchangeRatio, 3),
    messageDirectMs: round(median(all.direct.message)),
    messageProxiedMs: round(median(all.proxied.message)),
    messageRatio: round(messageRatio, 3),
    connectsPerSignIn: connects,
    samples: SAMPLES,
  });
}

await runBench('bench:network', main, async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  for (const each of transports) await each.close().catch(() => {});
  await proxy?.close().catch(() => {});
  await browserProxy?.close().catch(() => {});
  await devstack?.close().catch(() => {});
});
