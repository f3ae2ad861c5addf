/**
 * Benchmark (issue 19): several accounts.
 *
 *   1. Switch → the Protected message for the other account. One devstack (free ports), Chromium as
 *      the system browser, one core with DPoP on (as on the devstack) signed in as alice, with bob
 *      added in the same browser (`prompt=login`, as test/integration/accounts.test.ts does). Each
 *      round times `accounts:switch` to the other account followed by `messages:get protected`,
 *      both through the core's handler table as the renderer asks, next to `messages:get protected`
 *      alone for the account active then; the order alternates each round. Median of 20 each, and
 *      the ratio (goal ≤ 1.2 × one message call). Every request the core sends goes through its
 *      transport, which is counted: the switch itself must send none (printed, with the provider's
 *      own count of token requests during the switches).
 *   2. The vault of accounts (account-vault.ts, the preview's Node store and AES-GCM key file in a
 *      temporary folder): a write (`save`: encrypt, write the file) and a read as at start (a fresh
 *      store, key and vault: read the file, decrypt, check) with 1 and with 5 accounts, median of
 *      20 each. The accounts are alice's and bob's real tokens and DPoP keys from part 1, and three
 *      more made from bob's with other `sub`s (the same size as a real account).
 *
 * Prints figures; asserts only that every call worked and who answered.
 * Run: npm run bench:accounts  (node bench/accounts.ts); BENCH_QUICK=1 for a few samples.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Browser, BrowserContext } from 'playwright-core';
import { startDevstack, type Devstack } from '../devstack/index.ts';
import type { ChannelResponses } from '../src-preload/contract.ts';
import { AccountVault, type VaultContent } from '../src-main/core/account-vault.ts';
import type { Transport } from '../src-main/core/network/transport.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../src-main/core/node-storage.ts';
import { vaultOwnerOf } from '../src-main/core/vault.ts';
import type { AppConfig } from '../src-main/core/config.ts';
import { alice, bob } from '../test/support/accounts.ts';
import { configFor, createTestCore, signIn, type TestCore } from '../test/support/core-harness.ts';
import { launchSystemBrowser, signInWithBrowser } from '../test/support/system-browser.ts';
import { envTransport } from '../test/support/transport.ts';
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

const WARMUP = samples(3, 0);
const SAMPLES = samples(20, 3);
const PROTECTED_TEXT = 'This is a protected message.';
const TOKEN_GRANTS = [
  'authorization_code',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code',
];

let devstack: Devstack | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let test: TestCore | undefined;
const folders: string[] = [];

/** The environment's transport, counting every request the core sends through it (provider, API). */
function countingTransport(): { transport: Transport; sent: () => number } {
  const inner = envTransport();
  let sent = 0;
  return {
    transport: {
      ...inner,
      fetchFor(destination) {
        const fetch = inner.fetchFor(destination);
        return (input, init) => {
          sent += 1;
          return fetch(input, init);
        };
      },
      routeOf: (url) => inner.routeOf(url),
      close: () => inner.close(),
    },
    sent: () => sent,
  };
}

/** Alice signed in, then bob added in the same browser (the provider's login page again). */
async function twoAccounts(stack: Devstack, transport: Transport): Promise<TestCore> {
  const core = createTestCore(configFor(stack, { AUTH0_DPOP: 'true' }), { transport });
  test = core;
  await core.core.restore();
  const first = await signIn(core, browser!, alice);
  context = first.context;
  if (!first.result.ok) throw new Error(`alice: ${JSON.stringify(first.result.error)}`);
  const opened = core.nextOpened();
  const adding = core.core.session.addAccount();
  const added = await signInWithBrowser(browser!, await opened, {
    username: bob.email,
    password: bob.password,
    context,
  });
  await added.page.close();
  const result = await adding;
  if (!result.ok) throw new Error(`bob: ${JSON.stringify(result.error)}`);
  return core;
}

async function protectedMessage(core: TestCore, who: string): Promise<void> {
  const answer = (await core.core.handle('messages:get', [
    'protected',
  ])) as ChannelResponses['messages:get'];
  if (!answer.ok || answer.data.text !== PROTECTED_TEXT)
    throw new Error(`protected message as ${who} failed: ${JSON.stringify(answer)}`);
}

function activeEmail(core: TestCore): string {
  const view = core.core.view();
  return view.status === 'signed-in' ? String(view.profile.email) : view.status;
}

/** Part 1: switch + message vs message alone, and the requests the switches sent. */
async function switching(core: TestCore, sent: () => number) {
  const subs = new Map(core.core.session.accountList().map(({ sub, name }) => [name, sub]));
  const emails = new Map([
    [subs.get('Alice Liddell')!, alice.email],
    [subs.get('Bob Builder')!, bob.email],
  ]);
  if (emails.size !== 2) throw new Error(`expected alice and bob, got ${[...subs.keys()]}`);
  const switched: number[] = [];
  const alone: number[] = [];
  /** The switch's own answer (the first part of `switched`). */
  const answers: number[] = [];
  let switchRequests = 0;
  /** Requests the message calls sent: after a switch, and alone (a DPoP nonce retry would show). */
  const messageRequests = { switched: 0, alone: 0 };
  const tokenRequests = () =>
    TOKEN_GRANTS.reduce((sum, grant) => sum + devstack!.tokenRequests(grant), 0);
  let providerDuringSwitches = 0;

  let lastAnswer = 0;
  const switchAndMessage = async (): Promise<number> => {
    const other = core.core.session.accountList().find(({ active }) => !active)!;
    const [before, providerBefore] = [sent(), tokenRequests()];
    const t0 = performance.now();
    const answer = (await core.core.handle('accounts:switch', [
      other.sub,
    ])) as ChannelResponses['accounts:switch'];
    const afterSwitch = sent();
    const answered = performance.now() - t0;
    await protectedMessage(core, other.name);
    const elapsed = performance.now() - t0;
    messageRequests.switched += sent() - afterSwitch;
    if (!answer.ok) throw new Error(`switch failed: ${JSON.stringify(answer)}`);
    if (activeEmail(core) !== emails.get(other.sub))
      throw new Error(`after the switch the view shows ${activeEmail(core)}`);
    switchRequests += afterSwitch - before;
    lastAnswer = answered;
    providerDuringSwitches += tokenRequests() - providerBefore;
    return elapsed;
  };
  const messageAlone = async (): Promise<number> => {
    const before = sent();
    const t0 = performance.now();
    await protectedMessage(core, activeEmail(core));
    const elapsed = performance.now() - t0;
    messageRequests.alone += sent() - before;
    return elapsed;
  };

  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const [s, a] =
      i % 2 === 0
        ? [await switchAndMessage(), await messageAlone()]
        : await (async () => {
            const a = await messageAlone();
            return [await switchAndMessage(), a];
          })();
    if (i < WARMUP) continue;
    switched.push(s);
    alone.push(a);
    answers.push(lastAnswer);
  }
  return {
    switched,
    alone,
    answers,
    switchRequests,
    providerDuringSwitches,
    messageRequests,
    switches: WARMUP + SAMPLES,
  };
}

/** Part 2: the vault of accounts written and read with `count` accounts. */
async function vaultTimes(config: AppConfig, content: VaultContent, count: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-accounts-'));
  folders.push(dir);
  const owner = vaultOwnerOf(config);
  const file = path.join(dir, 'session.json');
  const vault = new AccountVault(new JsonFileStore(file), new KeyFileBesideDataCipher(dir), owner);
  const writes: number[] = [];
  const reads: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    let t0 = performance.now();
    if (!(await vault.save(content))) throw new Error('the vault wrote nothing');
    const wrote = performance.now() - t0;
    t0 = performance.now();
    // As at start: nothing in memory yet.
    const fresh = new AccountVault(
      new JsonFileStore(file),
      new KeyFileBesideDataCipher(dir),
      owner,
    );
    const loaded = await fresh.load();
    const read = performance.now() - t0;
    if (loaded.kind !== 'loaded' || loaded.content.accounts.length !== count)
      throw new Error(`the vault read back ${JSON.stringify(loaded.kind)}`);
    if (i < WARMUP) continue;
    writes.push(wrote);
    reads.push(read);
  }
  return { writes, reads };
}

/** `count` accounts: alice's and bob's as stored, then copies of bob's under other subs. */
function accountsOf(stored: VaultContent, count: number): VaultContent {
  const accounts = stored.accounts.slice(0, count);
  const model = stored.accounts.at(-1)!;
  for (let n = accounts.length; n < count; n++) {
    const sub = `bench-account-${n + 1}`;
    accounts.push({
      ...model,
      tokens: { ...model.tokens, claims: { ...model.tokens.claims, sub } },
    });
  }
  return { active: accounts[0]!.tokens.claims.sub, accounts };
}

async function main(): Promise<void> {
  const started = performance.now();
  [devstack, browser] = await Promise.all([startDevstack({ quiet: true }), launchSystemBrowser()]);
  const stack = devstack;
  const counting = countingTransport();
  const core = await twoAccounts(stack, counting.transport);
  const part1 = await switching(core, counting.sent);

  const stored = await core.storedAccounts();
  if (!stored || stored.accounts.length !== 2)
    throw new Error('the vault does not hold two accounts');
  const config = configFor(stack, { AUTH0_DPOP: 'true' });
  const one = await vaultTimes(config, accountsOf(stored, 1), 1);
  const five = await vaultTimes(config, accountsOf(stored, 5), 5);

  const ratio = median(part1.switched) / median(part1.alone);
  console.log(
    benchHeader('bench:accounts', `devstack ${stack.issuer} (IdP), ${stack.apiUrl} (API), DPoP on`),
  );
  const row = (label: string, values: number[]) => [
    label,
    String(values.length),
    ms(median(values)),
    ms(quantile(values, 0.9)),
  ];
  printTable(
    ['measure', 'n', 'median', 'p90'],
    [
      row('accounts:switch to the other account + protected message', part1.switched),
      row('  of which the switch, until it answered', part1.answers),
      row('protected message alone (the account active then)', part1.alone),
      row('vault write, 1 account (encrypt + write the file)', one.writes),
      row('vault write, 5 accounts', five.writes),
      row('vault read as at start, 1 account (read, decrypt, check)', one.reads),
      row('vault read as at start, 5 accounts', five.reads),
    ],
  );
  const wall = (performance.now() - started) / 1000;
  console.log(
    `\nswitch + message / message alone (medians): ${ratio.toFixed(2)} (goal ≤ 1.2)` +
      `\nrequests the core sent during ${part1.switches} switches (its transport): ${part1.switchRequests}; ` +
      `token requests at the provider during them: ${part1.providerDuringSwitches}` +
      `\nrequests sent by the ${part1.switches} message calls after a switch: ${part1.messageRequests.switched}; ` +
      `by the ${part1.switches} alone: ${part1.messageRequests.alone}` +
      `\n(${QUICK ? 'BENCH_QUICK=1: a few samples, figures not meaningful; ' : ''}${WARMUP} warm-up rounds not counted; order alternates each round; wall time ${wall.toFixed(1)} s)\n`,
  );
  printResult({
    bench: 'accounts',
    n: part1.switched.length,
    switchAndMessageMedianMs: round(median(part1.switched)),
    switchAnswerMedianMs: round(median(part1.answers), 3),
    messageAloneMedianMs: round(median(part1.alone)),
    ratio: round(ratio),
    requestsDuringSwitches: part1.switchRequests,
    providerTokenRequestsDuringSwitches: part1.providerDuringSwitches,
    messageRequestsAfterSwitch: part1.messageRequests.switched,
    messageRequestsAlone: part1.messageRequests.alone,
    vaultWrite1MedianMs: round(median(one.writes), 3),
    vaultWrite5MedianMs: round(median(five.writes), 3),
    vaultRead1MedianMs: round(median(one.reads), 3),
    vaultRead5MedianMs: round(median(five.reads), 3),
    wallSeconds: round(wall, 1),
  });
}

async function cleanup(): Promise<void> {
  if (test) {
    await test.core.close().catch(() => {});
    rmSync(test.dir, { recursive: true, force: true });
  }
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await devstack?.close().catch(() => {});
}

await runBench('bench:accounts', main, cleanup);
