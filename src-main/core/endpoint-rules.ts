/**
 * Which of a provider's discovered endpoints the app may talk to: the sign-in's rule for every one
 * of them (the issuer's own rule is config.ts's). https always; plain http only when the issuer and
 * the endpoint are both on this machine (RFC 8252 §8.3: loopback never leaves it). A discovery
 * document is the provider's word, and a hostile or mistaken one must not turn the app (or Check
 * connection) into a client that posts to any host in clear.
 */
import { isLoopbackHost } from './config.ts';

/** The endpoints of a discovery document (RFC 8414 §2; OpenID Discovery §3) the app may call or open. */
export const DISCOVERED_ENDPOINTS = [
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'revocation_endpoint',
  'end_session_endpoint',
  'device_authorization_endpoint',
  'userinfo_endpoint',
] as const;

/** Why `endpoint` may not be used for `issuer`, or undefined when it may. */
export function endpointRefusal(issuer: URL, endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'carries credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    if (isLoopbackHost(issuer.hostname) && isLoopbackHost(url.hostname)) return undefined;
    return 'is plain http (only allowed when the issuer and the endpoint are both on this machine)';
  }
  return `is not an https URL (${url.protocol})`;
}

/** The first discovered endpoint the app may not use, with the reason; undefined when all are fine. */
export function firstRefusedEndpoint(
  issuer: URL,
  metadata: Record<string, unknown>,
): { name: string; value: string; reason: string } | undefined {
  for (const name of DISCOVERED_ENDPOINTS) {
    const value = metadata[name];
    if (value === undefined) continue;
    const reason = typeof value === 'string' ? endpointRefusal(issuer, value) : 'is not a URL';
    if (reason) return { name, value: String(value), reason };
  }
  return undefined;
}
