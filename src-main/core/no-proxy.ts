/**
 * Loopback traffic never goes through a proxy. The app's own requests go through its transport
 * (network/transport.ts), whose route policy keeps loopback direct whatever the environment says.
 * This is for everything else in the process that uses Node's own `fetch` or global agents, which
 * with `NODE_USE_ENV_PROXY=1` (and from Node 24.5, Electron's) obey `HTTP_PROXY` / `HTTPS_PROXY`:
 * the built-in demo provider's API fetching its provider's keys, in the same process.
 *
 * So every host, before its first request, adds the loopback names to `NO_PROXY` (and `no_proxy`,
 * which some readers prefer), keeping what was there; `fetch` reads it per request.
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
