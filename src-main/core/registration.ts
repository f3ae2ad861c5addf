/**
 * What a person registers at their provider for a set of settings: the exact Allowed Callback URLs
 * and Allowed Logout URLs, and the rule for the logout return.
 *
 * RFC 8252 §7.3 says a provider must accept any port on a loopback redirect URI; Auth0 does not: it
 * matches the port exactly. So with an Auth0 domain each callback port needs its own registered URL,
 * and with no fixed port (an OS-assigned one) no URL can be registered at all: sign-in cannot work and
 * the page warns. The same holds for the logout return URL, hence the rule below.
 */
import type { Registration } from '../../src-preload/contract.ts';
import { isAuth0Domain } from './config.ts';
import { LOOPBACK_HOST } from './loopback.ts';

/** The loopback receiver's paths: the sign-in callback and the return from the provider's logout. */
export const CALLBACK_PATH = '/callback';
export const LOGGED_OUT_PATH = '/logged-out';

export { isAuth0Domain };

export const NO_FIXED_PORT_WARNING =
  'Auth0 matches callback ports exactly: set one or more Callback ports and register a callback and a logout URL for each, or sign-in will fail with "Callback URL mismatch".';

/**
 * The logout return rule: a return URL is sent only when one can have been registered. On an Auth0
 * domain without fixed callback ports the port is the OS's choice, no registered URL can match, and
 * Auth0 would show an error page and leave its session open; without `returnTo` its own "logged out"
 * page ends the tab and the session is really over.
 */
export function sendsLogoutReturn(settings: {
  issuer: URL;
  callbackPorts: readonly number[];
}): boolean {
  return !(isAuth0Domain(settings.issuer) && settings.callbackPorts.length === 0);
}

/** The URLs to register for these settings, one per callback port, and the app link's. */
export function registrationFor(settings: {
  issuer: URL;
  callbackPorts: readonly number[];
  redirectScheme?: string;
}): Registration {
  const loopback = loopbackRegistration(settings);
  return settings.redirectScheme
    ? { ...loopback, appLinkUrl: `${settings.redirectScheme}:${CALLBACK_PATH}` }
    : loopback;
}

function loopbackRegistration(settings: {
  issuer: URL;
  callbackPorts: readonly number[];
}): Registration {
  if (settings.callbackPorts.length > 0) {
    return {
      callbackUrls: settings.callbackPorts.map(
        (port) => `http://${LOOPBACK_HOST}:${port}${CALLBACK_PATH}`,
      ),
      logoutUrls: settings.callbackPorts.map(
        (port) => `http://${LOOPBACK_HOST}:${port}${LOGGED_OUT_PATH}`,
      ),
    };
  }
  if (isAuth0Domain(settings.issuer))
    return { callbackUrls: [], logoutUrls: [], warning: NO_FIXED_PORT_WARNING };
  // A provider that follows RFC 8252 §7.3 ignores the port: register the port-less loopback URIs.
  return {
    callbackUrls: [`http://${LOOPBACK_HOST}${CALLBACK_PATH}`],
    logoutUrls: [`http://${LOOPBACK_HOST}${LOGGED_OUT_PATH}`],
  };
}
