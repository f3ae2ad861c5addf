/**
 * `app://renderer/…`: the built renderer (dist/renderer), served by a `protocol.handle` handler
 * instead of `file://` (Electron security checklist item 18), with the production CSP as a header.
 *
 * Type-only Electron imports: main.ts registers the scheme and the handler; the handler itself is a
 * plain `(Request) => Promise<Response>` that tests call with real files in a temp directory.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CustomScheme } from 'electron';
import { APP_HOST, APP_SCHEME } from './policy.ts';

/**
 * Registered before `ready` (main.ts). `standard` gives the scheme an origin and relative URLs,
 * `secure` makes it a secure context like https, `supportFetchAPI` lets the page's module scripts
 * and fetches load from it. No `bypassCSP`: the app's own CSP applies to it.
 */
export const appScheme: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  // Module scripts are refused unless served with a JavaScript MIME type.
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `rootDir` that an `app://renderer/…` URL names, or null when the URL is not ours or
 * would leave `rootDir` (`..`, encoded `%2e%2e%2f`, backslashes, absolute paths, NUL bytes).
 */
export function resolveAppFile(rootDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (pathname.includes('\0')) return null;
  if (pathname === '' || pathname === '/') pathname = '/index.html';
  const root = path.resolve(rootDir);
  const file = path.resolve(root, `.${pathname}`);
  const relative = path.relative(root, file);
  if (
    relative === '' ||
    relative === '..' ||
    relative.startsWith(`..${path.sep}`) ||
    path.isAbsolute(relative)
  ) {
    return null;
  }
  return file;
}

export interface AppProtocolOptions {
  /** The built renderer, e.g. dist/renderer (inside app.asar when packaged: Electron's fs reads it). */
  rootDir: string;
  /** Sent as `Content-Security-Policy` on every answer; null sends none. */
  csp: string | null;
  /** Injectable for tests; defaults to fs.readFile. */
  readFile?: (file: string) => Promise<Uint8Array>;
}

export function createAppProtocolHandler(
  options: AppProtocolOptions,
): (request: Request) => Promise<Response> {
  const read = options.readFile ?? ((file: string) => readFile(file));
  function headers(contentType: string): Record<string, string> {
    return {
      'Content-Type': contentType,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
      ...(options.csp ? { 'Content-Security-Policy': options.csp } : {}),
    };
  }
  const notFound = () =>
    new Response('Not Found', { status: 404, headers: headers('text/plain; charset=utf-8') });

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method Not Allowed', {
        status: 405,
        headers: { ...headers('text/plain; charset=utf-8'), Allow: 'GET, HEAD' },
      });
    }
    const file = resolveAppFile(options.rootDir, request.url);
    if (!file) return notFound();
    let body: Uint8Array;
    try {
      body = await read(file);
    } catch {
      return notFound(); // missing file, or a directory
    }
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: headers(contentTypeFor(file)),
    });
  };
}
