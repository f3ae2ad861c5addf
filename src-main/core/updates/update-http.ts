/**
 * electron-updater's HTTP without Electron. electron-updater talks to the feed through an
 * `HttpExecutor` (builder-util-runtime); its own one is built on Electron's `net` and would load
 * `electron`. This one is the same base class over the app's fetch-shaped transport (the host's
 * `fetchFor('UPDATE_FEED_URL')`, network/transport.ts: the proxy, PAC and certificate rules every other
 * request obeys), so the core, the preview and the tests run the real updater code under plain Node.
 *
 * What it adds on the way:
 * - only `https:` URLs, or `http:` to a loopback host (the rule config.ts applies to every other
 *   setting); redirects are followed here, at most 10, each hop held to the same rule;
 * - `Accept-Encoding: identity`: fetch would otherwise ask for gzip and decode it, and byte ranges
 *   (differential downloads) would then count bytes of a representation nobody signed;
 * - no `x-user-staging-id`: electron-updater sends the installation's rollout id with every
 *   request; the rollout is decided here, so the feed has no need for an id that tracks the
 *   installation;
 * - a separate `*.blockmap` (NSIS, macOS) is used only when its sha512 is one the signed metadata
 *   lists (`trustBlockMaps`); anything else fails the differential download, and electron-updater
 *   falls back to the full download, whose sha512 is signed;
 * - a request that receives nothing for `timeout` ms (default 60 s) fails.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { RequestOptions } from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  configureRequestOptions,
  configureRequestUrl,
  HttpExecutor,
  newError,
  type DownloadOptions,
} from 'builder-util-runtime';
import { isLoopbackHost } from '../config.ts';
import type { FetchLike } from '../network/transport.ts';

/**
 * The network transport's fetch for the feed (`transport.fetchFor('UPDATE_FEED_URL')`,
 * network/transport.ts). Called as `(url, { method, headers, redirect: 'manual', signal })`.
 */
export type UpdateTransport = FetchLike;

const MAX_REDIRECTS = 10;
const DEFAULT_TIMEOUT_MS = 60_000;
/** Request headers never sent to the feed (lower case). */
const DROPPED_HEADERS = new Set(['x-user-staging-id', 'host', 'accept-encoding']);

/** True for the URLs the updater may fetch: https, or http to this machine. */
export function isAllowedUpdateUrl(url: URL): boolean {
  if (url.username || url.password) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/** What electron-updater's code reads from a response: node:http's IncomingMessage, in part. */
type UpdateResponse = Readable & {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string>;
};

class TransportRequest extends EventEmitter {
  private readonly controller = new AbortController();
  private started = false;
  private readonly transport: UpdateTransport;
  private readonly options: RequestOptions;
  private readonly onResponse: (response: UpdateResponse) => void;

  constructor(
    transport: UpdateTransport,
    options: RequestOptions,
    onResponse: (response: UpdateResponse) => void,
  ) {
    super();
    this.transport = transport;
    this.options = options;
    this.onResponse = onResponse;
  }

  end(): void {
    if (this.started) return;
    this.started = true;
    this.run().catch((error: unknown) => this.fail(error));
  }

  abort(): void {
    this.controller.abort();
  }

  private fail(error: unknown): void {
    if (this.controller.signal.aborted && !(error instanceof TimeoutError)) return;
    if (this.listenerCount('error') > 0)
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }

  private async run(): Promise<void> {
    const timeoutMs = this.options.timeout ?? DEFAULT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.fail(new TimeoutError(`Request timed out (nothing received for ${timeoutMs} ms)`));
        this.controller.abort();
      }, timeoutMs);
      timer.unref?.();
    };
    const disarm = () => clearTimeout(timer);
    this.controller.signal.addEventListener('abort', disarm, { once: true });
    arm();

    let url = urlOf(this.options);
    const headers = headersOf(this.options);
    for (let hop = 0; ; hop++) {
      if (!isAllowedUpdateUrl(url))
        throw newError(
          `The update feed may only be reached over https (or http on this machine): ${url.protocol}//${url.host}`,
          'ERR_UPDATER_URL_NOT_ALLOWED',
        );
      const response = await this.transport(url.href, {
        method: (this.options.method ?? 'GET').toUpperCase(),
        headers,
        redirect: 'manual',
        signal: this.controller.signal,
      });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (hop >= MAX_REDIRECTS)
          throw newError(
            `Too many redirects (> ${MAX_REDIRECTS})`,
            'ERR_UPDATER_TOO_MANY_REDIRECTS',
          );
        url = new URL(location, url);
        arm();
        continue;
      }
      arm();
      const watched = response.body
        ? response.body.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform(chunk, controller) {
                arm();
                controller.enqueue(chunk);
              },
              flush() {
                disarm();
              },
            }),
          )
        : undefined;
      // fromWeb's types are the DOM's ReadableStream; undici's is the same object at run time.
      const body = (
        watched
          ? Readable.fromWeb(watched as Parameters<typeof Readable.fromWeb>[0])
          : Readable.from([])
      ) as UpdateResponse;
      if (!watched) disarm();
      body.statusCode = response.status;
      body.statusMessage = response.statusText;
      body.headers = Object.fromEntries(response.headers.entries());
      body.on('error', disarm);
      this.onResponse(body);
      return;
    }
  }
}

class TimeoutError extends Error {}

export class UpdateHttpExecutor extends HttpExecutor<TransportRequest> {
  private blockMaps = new Map<string, string>();
  private readonly transport: UpdateTransport;

  /** `transport`: the host's `fetchFor('UPDATE_FEED_URL')`; there is no default (no direct fetch). */
  constructor(transport: UpdateTransport) {
    super();
    this.transport = transport;
  }

  /** The blockmaps the signed metadata lists (file name → sha512 in base64); replaces the last set. */
  trustBlockMaps(blockMaps: Record<string, unknown> | undefined): void {
    this.blockMaps = new Map(
      Object.entries(blockMaps ?? {}).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  }

  createRequest(
    options: RequestOptions,
    callback: (response: UpdateResponse) => void,
  ): TransportRequest {
    return new TransportRequest(this.transport, options, callback);
  }

  /** What electron-updater's Electron executor offers and its updaters call: a file download. */
  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        {
          destination,
          options,
          onCancel,
          callback: (error) => (error ? reject(error) : resolve(destination)),
          responseHandler: null,
        },
        0,
      );
    });
  }

  override async downloadToBuffer(url: URL, options: DownloadOptions): Promise<Buffer> {
    const data = await super.downloadToBuffer(url, options);
    if (url.pathname.endsWith('.blockmap')) this.checkBlockMap(url, data);
    return data;
  }

  private checkBlockMap(url: URL, data: Buffer): void {
    const name = decodeURIComponent(path.posix.basename(url.pathname));
    const expected = this.blockMaps.get(name);
    if (!expected)
      throw newError(
        `Blockmap ${name} is not listed in the signed update metadata`,
        'ERR_UPDATER_BLOCKMAP_NOT_SIGNED',
      );
    const actual = createHash('sha512').update(data).digest('base64');
    if (actual !== expected)
      throw newError(
        `Blockmap ${name} does not match the sha512 in the signed update metadata`,
        'ERR_UPDATER_BLOCKMAP_MISMATCH',
      );
  }
}

function urlOf(options: RequestOptions): URL {
  const port = options.port ? `:${options.port}` : '';
  return new URL(
    `${options.protocol ?? 'https:'}//${options.hostname}${port}${options.path ?? '/'}`,
  );
}

function headersOf(options: RequestOptions): Record<string, string> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === undefined || DROPPED_HEADERS.has(name.toLowerCase())) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return headers;
}
