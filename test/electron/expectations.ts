/**
 * What the Electron journeys expect, read from the code that defines it (never a copy that can go
 * stale): `window.auth`'s members from the contract (src-preload/contract.ts: `bridgeMethods` and
 * `bridgeSubscriptions`), the app's origin from the shell's policy (compared as scheme + host,
 * because the WHATWG URL parser gives a non-special scheme such as app: the origin "null").
 * test/unit/electron-journeys.test.ts checks these against the preload's real output.
 */
import { bridgeKeys } from '../../src-preload/contract.ts';
import { APP_ORIGIN, originOf } from '../../src-main/electron/policy.ts';

/** What the app window's page may see and do (the journey "the page has no Node …"). */
export function expectedPageFacts() {
  return {
    origin: APP_ORIGIN,
    require: 'undefined',
    process: 'undefined',
    auth: bridgeKeys(),
    evalResult: 'blocked',
  };
}

/** Whether `url` is on the app's own origin, compared as src-main/electron/policy.ts does. */
export function isAppUrl(url: string): boolean {
  return originOf(url) === APP_ORIGIN;
}
