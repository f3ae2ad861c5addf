/**
 * Loopback traffic never goes through a proxy. With `NODE_USE_ENV_PROXY=1` Node's own `fetch` (which
 * openid-client and Check connection use) and, from Node 24.5 (the Node inside Electron), its global
 * HTTP agents obey `HTTP_PROXY` / `HTTPS_PROXY`: a loopback issuer's token requests, or the bearer
 * token for a loopback `http:` API, would travel in clear to whatever proxy the environment names.
 *
 * So every host, before its first request, adds the loopback names to `NO_PROXY` (and `no_proxy`,
 * which some readers prefer), keeping what was there; `fetch` reads it per request. axios gets its
 * own fresh agents (messages.ts), which never read the proxy variables. A company network's proxy
 * for remote providers is a later issue's single transport.
 */

export const LOOPBACK_NO_PROXY = ['127.0.0.1', 'localhost', '::1'] as const;

export function keepLoopbackOffProxies(env: NodeJS.ProcessEnv = process.env): void {
  const entries = new Set<string>();
  for (const value of [env.NO_PROXY, env.no_proxy])
    for (const entry of (value ?? '').split(',')) if (entry.trim()) entries.add(entry.trim());
  for (const host of LOOPBACK_NO_PROXY) entries.add(host);
  const value = [...entries].join(',');
  env.NO_PROXY = value;
  env.no_proxy = value;
}
