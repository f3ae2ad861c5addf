/** The built renderer's files, served to the browser under the app's CSP; nothing outside its folder. */
import { readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RENDERER_CSP_DIRECTIVES } from '../electron/policy.ts';
import { sendJson } from './http.ts';

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

/** The Electron app's production CSP (electron/policy.ts), with `default-src 'self'`. */
export const PREVIEW_CSP = ["default-src 'self'", ...RENDERER_CSP_DIRECTIVES].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** `pathname` is already percent-decoded. */
export function serveStatic(pathname: string, res: ServerResponse, rendererDir: string): void {
  const root = path.resolve(rendererDir);
  const relative = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = path.resolve(root, relative);
  // Path traversal: only files inside the renderer folder are served (no NUL, no "..", no
  // backslash tricks).
  if (relative.includes('\0') || !file.startsWith(root + path.sep) || !existsFile(file)) {
    return sendJson(res, 404, { message: 'Not Found' });
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': PREVIEW_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  });
  res.end(readFileSync(file));
}

export function existsFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
