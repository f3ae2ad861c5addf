/**
 * The transport tests give the core: the Node transport as the preview builds it, from the
 * environment's HTTPS_PROXY / HTTP_PROXY / NO_PROXY at the moment it is made (a file that sets a
 * proxy variable first gets a transport that knows it, and loopback stays direct by the route policy).
 */
import type { AppConfig } from '../../src-main/core/config.ts';
import { nodeTransports, type NodeTransport } from '../../src-main/core/network/node-transport.ts';
import { bindProviderFetch } from '../../src-main/core/oidc.ts';

/** The preview host's transport factory over `process.env` (for `startCoreHost`'s `transportFor`). */
export const envTransports = nodeTransports(process.env);

/** A Node transport with the environment's proxy settings (`PROXY=system`). */
export function envTransport(): NodeTransport {
  return envTransports({ kind: 'system' });
}

/**
 * `config` with the environment's transport bound to its provider requests (bindProviderFetch), as
 * a core does: for tests and benchmarks that call oidc.ts's steps without a core.
 */
export function connected(config: AppConfig): AppConfig {
  bindProviderFetch(config, envTransport().fetchFor('AUTH0_DOMAIN'));
  return config;
}
