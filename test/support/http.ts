/**
 * One raw HTTP request with node:http, the way an attacker's client or the browser's top-level
 * redirect arrives: no redirect is followed, and nothing is added that the caller did not ask for (no
 * Origin, no fetch metadata); the caller sets the method and every header, Host included.
 */
import { request, type IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  /** Default GET. */
  method?: string;
  headers?: Record<string, string>;
}

/** Sends the request and resolves once the whole answer (its body as UTF-8 text) has arrived. */
export function send(url: string | URL, init: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers ?? {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
