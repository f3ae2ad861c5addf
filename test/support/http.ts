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
      // A connection of its own, as an attacker's client or a browser's new navigation may open:
      // no socket kept alive from an earlier request, which a receiver that has just answered may
      // be closing (Node before 22.23 reported that race as "socket hang up").
      { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false },
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
