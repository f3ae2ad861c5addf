/**
 * An update feed for tests and benchmarks (issue 20): a static folder served on 127.0.0.1 the way a
 * generic electron-updater feed (a web server, a bucket) serves it: GET and HEAD, `Accept-Ranges`,
 * single ranges (206 + Content-Range) and several at once (206 multipart/byteranges, which
 * electron-updater's differential download asks for), 416 for a range outside the file. Every
 * request is logged with the bytes of body sent, so a test can prove what was (not) downloaded.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, statSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface FeedRequest {
  method: string;
  /** The path without the query string (electron-updater adds `?noCache=…` to the yml). */
  path: string;
  range: string | undefined;
  status: number;
  /** Body bytes sent (multipart framing included). */
  bytes: number;
  headers: IncomingHttpHeaders;
}

export interface UpdateFeed {
  /** The feed's base URL, ending in `/`: what UPDATE_FEED_URL names. */
  url: string;
  requests: FeedRequest[];
  /** Body bytes sent for paths matching `filter` (all by default). */
  bytesServed(filter?: (request: FeedRequest) => boolean): number;
  /** Requests for anything but a `latest*.yml`: what a download looks like. */
  downloads(): FeedRequest[];
  close(): Promise<void>;
}

export interface UpdateFeedOptions {
  /** Answer a request for several ranges with the whole file (200), as some servers do. */
  singleRangesOnly?: boolean;
  /** Send file bodies no faster than this (a slow network), so a download's progress can be seen. */
  bytesPerSecond?: number;
  /**
   * Serve over HTTPS with this certificate, and give the URL with `host` (a name only a test proxy
   * resolves, such as updates.corp.test): the feed is then reachable only through that proxy.
   */
  tls?: { cert: string; key: string; host: string };
}

type ByteRange = { start: number; end: number };

export async function startUpdateFeed(
  folder: string,
  options: UpdateFeedOptions = {},
): Promise<UpdateFeed> {
  const requests: FeedRequest[] = [];
  const root = path.resolve(folder);
  const pace = async (bytes: number) => {
    if (options.bytesPerSecond)
      await new Promise((resolve) => setTimeout(resolve, (bytes / options.bytesPerSecond!) * 1000));
  };
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const entry: FeedRequest = {
      method: request.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      range: request.headers.range,
      status: 0,
      bytes: 0,
      headers: request.headers,
    };
    requests.push(entry);
    const count = (chunk: Buffer | string) => (entry.bytes += Buffer.byteLength(chunk));
    const finish = (status: number, headers: Record<string, string | number>, body = '') => {
      entry.status = status;
      response.writeHead(status, headers);
      if (request.method !== 'HEAD' && body) count(body);
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return finish(405, { Allow: 'GET, HEAD' });
    const file = path.join(root, path.normalize(entry.path));
    if (!file.startsWith(root + path.sep)) return finish(404, {});
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) return finish(404, {});
      size = stat.size;
    } catch {
      return finish(404, {});
    }
    const type = file.endsWith('.yml') ? 'text/yaml' : 'application/octet-stream';
    const ranges = request.headers.range ? parseRanges(request.headers.range, size) : undefined;
    if (ranges === null)
      return finish(416, { 'Content-Range': `bytes */${size}`, 'Accept-Ranges': 'bytes' });
    if (!ranges || (ranges.length > 1 && options.singleRangesOnly)) {
      entry.status = 200;
      response.writeHead(200, {
        'Content-Type': type,
        'Content-Length': size,
        'Accept-Ranges': 'bytes',
      });
      return send(request.method, response, [{ file, start: 0, end: size - 1 }], count, pace);
    }
    if (ranges.length === 1) {
      const [range] = ranges as [ByteRange];
      entry.status = 206;
      response.writeHead(206, {
        'Content-Type': type,
        'Content-Length': range.end - range.start + 1,
        'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
        'Accept-Ranges': 'bytes',
      });
      return send(request.method, response, [{ file, ...range }], count, pace);
    }
    const boundary = randomBytes(12).toString('hex');
    const parts: Array<string | { file: string; start: number; end: number }> = [];
    for (const [index, range] of ranges.entries()) {
      parts.push(
        `${index === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${range.start}-${range.end}/${size}\r\n\r\n`,
      );
      parts.push({ file, ...range });
    }
    parts.push(`\r\n--${boundary}--\r\n`);
    const length = parts.reduce(
      (sum, part) =>
        sum + (typeof part === 'string' ? Buffer.byteLength(part) : part.end - part.start + 1),
      0,
    );
    entry.status = 206;
    response.writeHead(206, {
      'Content-Type': `multipart/byteranges; boundary=${boundary}`,
      'Content-Length': length,
      'Accept-Ranges': 'bytes',
    });
    return send(request.method, response, parts, count, pace);
  };
  const { tls } = options;
  const server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key }, handle)
    : createServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: tls ? `https://${tls.host}:${port}/` : `http://127.0.0.1:${port}/`,
    requests,
    bytesServed: (filter = () => true) =>
      requests.filter(filter).reduce((sum, request) => sum + request.bytes, 0),
    downloads: () => requests.filter((request) => !/\/latest[^/]*\.yml$/.test(request.path)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** RFC 9110 §14.1.2 byte ranges; undefined: no usable Range header; null: none satisfiable (416). */
function parseRanges(header: string, size: number): ByteRange[] | undefined | null {
  const match = /^bytes=(.+)$/.exec(header.trim());
  if (!match) return undefined;
  const ranges: ByteRange[] = [];
  for (const spec of match[1]!.split(',')) {
    const part = /^\s*(\d*)-(\d*)\s*$/.exec(spec);
    if (!part || (part[1] === '' && part[2] === '')) return undefined;
    let start: number;
    let end: number;
    if (part[1] === '') {
      start = Math.max(0, size - Number(part[2]));
      end = size - 1;
    } else {
      start = Number(part[1]);
      end = part[2] === '' ? size - 1 : Math.min(Number(part[2]), size - 1);
    }
    if (start > end || start >= size) continue;
    ranges.push({ start, end });
  }
  return ranges.length ? ranges : null;
}

async function send(
  method: string | undefined,
  response: ServerResponse,
  parts: Array<string | { file: string; start: number; end: number }>,
  count: (chunk: Buffer | string) => void,
  pace: (bytes: number) => Promise<void>,
): Promise<void> {
  if (method === 'HEAD') {
    response.end();
    return;
  }
  const write = async (chunk: Buffer | string) => {
    count(chunk);
    if (response.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  };
  try {
    for (const part of parts) {
      if (response.destroyed) return;
      if (typeof part === 'string') {
        await write(part);
        continue;
      }
      for await (const chunk of createReadStream(part.file, { start: part.start, end: part.end })) {
        if (response.destroyed) return;
        await write(chunk as Buffer);
        await pace((chunk as Buffer).length);
      }
    }
    response.end();
  } catch {
    response.destroy();
  }
}
