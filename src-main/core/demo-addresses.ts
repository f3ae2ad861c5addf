/**
 * The built-in demo provider's own addresses, typed as "Your Auth0 tenant" (issue 22, H1). The
 * preview prints them and a person copies them into the form; saved as a tenant they used to stop the
 * demo provider they point at. The host asks these two questions of the demo provider it runs: which
 * fields of a form name it (the Settings page says so before Save), and whether settings about to be
 * saved point at it (then Save leaves it running).
 */
import type { DemoAddressField, SettingsForm } from '../../src-preload/contract.ts';
import { isLoopbackHost, parseHttpUrl, parseIssuer, type AppConfig } from './config.ts';

/** The same server: scheme and port, and the same host or both loopback (127.0.0.1 = localhost). */
export function sameServer(a: URL, b: URL): boolean {
  if (a.protocol !== b.protocol || a.port !== b.port) return false;
  return a.hostname === b.hostname || (isLoopbackHost(a.hostname) && isLoopbackHost(b.hostname));
}

/** The fields of a tenant form, as typed, that hold the demo provider's issuer or API (each field alone). */
export function demoAddressesIn(
  form: SettingsForm,
  demo: Pick<AppConfig, 'issuer' | 'apiServerUrl'>,
): DemoAddressField[] {
  if (form.provider !== 'tenant') return [];
  const found: DemoAddressField[] = [];
  const domain = parsed(() => parseIssuer(form.values.AUTH0_DOMAIN?.trim() ?? ''));
  if (domain && sameServer(domain, demo.issuer)) found.push('AUTH0_DOMAIN');
  const api = parsed(() =>
    parseHttpUrl('API_SERVER_URL', form.values.API_SERVER_URL?.trim() ?? ''),
  );
  if (api && sameServer(api, demo.apiServerUrl)) found.push('API_SERVER_URL');
  return found;
}

/** Whether a provider's config talks to the demo provider's identity provider or its API. */
export function pointsAtDemo(
  config: Pick<AppConfig, 'issuer' | 'apiServerUrl'>,
  demo: Pick<AppConfig, 'issuer' | 'apiServerUrl'>,
): boolean {
  return (
    sameServer(config.issuer, demo.issuer) || sameServer(config.apiServerUrl, demo.apiServerUrl)
  );
}

function parsed(parse: () => URL): URL | undefined {
  try {
    return parse();
  } catch {
    return undefined;
  }
}
