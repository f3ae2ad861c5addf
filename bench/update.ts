/**
 * bench:update (issue 20): bytes and time for a full and for a differential download of a one-block
 * change, from a local feed (test/support/update-feed.ts on 127.0.0.1). The installed app is a 50 MB
 * AppImage stand-in (random bytes, electron-builder's blockmap embedded); the release changes 64
 * bytes in its middle and is signed like a real feed. Each sample is a fresh installation (empty
 * download cache) running the real path: UpdateService → electron-updater's AppImageUpdater →
 * this app's HTTP executor → the feed; time is from "Check for updates" to "Ready", bytes are what
 * the feed sent for the AppImage (the yml is a few hundred bytes more, counted apart).
 *
 * Run: npm run bench:update (node bench/update.ts). BENCH_QUICK=1: an 8 MB file, two samples per
 * mode, no warm-up. The last line of stdout is one JSON object.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { signFeed } from '../scripts/update-sign.ts';
import { channelFileFor } from '../src-main/core/updates/update-platform.ts';
import { startUpdateFeed, type UpdateFeed } from '../test/support/update-feed.ts';
import { createTestUpdates, makeInstallation } from '../test/support/update-harness.ts';
import {
  changeBytes,
  makeSigningKeys,
  randomPayload,
  writeAppImage,
  writeChannel,
} from '../test/support/update-release.ts';
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

const MiB = 1024 * 1024;
const FILE_SIZE = (QUICK ? 8 : 50) * MiB;
const SAMPLES = samples(5, 2);
const WARM_UP = samples(1, 0);
const CURRENT = '1.0.0';
const NEXT = '1.1.0';
const CHANNEL = channelFileFor(process.platform, process.arch);

let root: string | undefined;
let feed: UpdateFeed | undefined;

interface Sample {
  ms: number;
  bytes: number;
  requests: number;
}

async function sample(
  feedUrl: string,
  publicKey: string,
  installed: string,
  differential: boolean,
): Promise<Sample> {
  const installation = makeInstallation(mkdtempSync(path.join(root!, 'installation-')));
  const updates = createTestUpdates({
    installation,
    version: CURRENT,
    appImage: installed,
    environment: { UPDATE_FEED_URL: feedUrl, UPDATE_PUBLIC_KEY: publicKey },
    differential,
  });
  const before = feed!.requests.length;
  try {
    const start = performance.now();
    const state = await updates.service.check();
    const elapsed = performance.now() - start;
    if (state.kind !== 'ready')
      throw new Error(`expected the update to be ready, got ${JSON.stringify(state)}`);
    const requests = feed!.requests.slice(before);
    const bytes = requests
      .filter((request) => request.path === `/App-${NEXT}.AppImage`)
      .reduce((sum, request) => sum + request.bytes, 0);
    return { ms: elapsed, bytes, requests: requests.length };
  } finally {
    updates.dispose();
    rmSync(installation.root, { recursive: true, force: true });
  }
}

await runBench(
  'bench:update',
  async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'bench-update-'));
    const feedDir = path.join(root, 'feed');
    mkdirSync(feedDir);
    const keys = makeSigningKeys();
    const payload = randomPayload(FILE_SIZE);
    const installed = path.join(root, `App-${CURRENT}.AppImage`);
    await writeAppImage(installed, payload);
    const release = await writeAppImage(
      path.join(feedDir, `App-${NEXT}.AppImage`),
      changeBytes(payload, Math.floor(FILE_SIZE / 2)),
    );
    writeChannel(feedDir, CHANNEL, NEXT, [release]);
    signFeed(feedDir, keys.privateKey);
    feed = await startUpdateFeed(feedDir);

    const run = async (differential: boolean) => {
      for (let i = 0; i < WARM_UP; i++)
        await sample(feed!.url, keys.publicKeyBase64, installed, differential);
      const results: Sample[] = [];
      for (let i = 0; i < SAMPLES; i++)
        results.push(await sample(feed!.url, keys.publicKeyBase64, installed, differential));
      return results;
    };
    const full = await run(false);
    const differential = await run(true);

    console.log(
      benchHeader(
        'bench:update',
        `one changed block (64 bytes) in a ${FILE_SIZE / MiB} MiB AppImage (${release.size} bytes with its blockmap), ${SAMPLES} samples per mode${WARM_UP ? `, ${WARM_UP} warm-up` : ''}`,
      ),
    );
    const row = (label: string, results: Sample[]) => {
      const bytes = median(results.map((result) => result.bytes));
      const times = results.map((result) => result.ms);
      return [
        label,
        `${bytes}`,
        `${((bytes / release.size) * 100).toFixed(2)} %`,
        `${median(results.map((result) => result.requests))}`,
        ms(median(times)),
        ms(quantile(times, 0.9)),
      ];
    };
    printTable(
      ['download', 'bytes', 'of file', 'requests', 'median', 'p90'],
      [row('full', full), row('differential', differential)],
    );
    const figures = (results: Sample[]) => ({
      bytes: median(results.map((result) => result.bytes)),
      requests: median(results.map((result) => result.requests)),
      medianMs: round(median(results.map((result) => result.ms))),
      p90Ms: round(
        quantile(
          results.map((result) => result.ms),
          0.9,
        ),
      ),
    });
    printResult({
      bench: 'update',
      n: SAMPLES,
      fileBytes: release.size,
      full: figures(full),
      differential: figures(differential),
    });
  },
  async () => {
    await feed?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  },
);
