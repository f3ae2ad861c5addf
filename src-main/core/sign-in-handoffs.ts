/**
 * What the person can take from a waiting sign-in to somewhere else, through the OS: the sign-in
 * code's page opened in the browser, the code on the clipboard, and the sign-in link on the
 * clipboard (issue 19: to finish in another browser or profile). Each reads the way the session
 * shows now; none hands the renderer anything but ok or an error.
 */
import type { Result } from '../../src-preload/contract.ts';
import { toAppError } from './errors.ts';
import type { CorePlatform, Logger } from './platform.ts';
import type { WayState } from './session-state.ts';
import type { SignInAttempt } from './sign-in-ways.ts';

/** The waiting sign-in, as the session shows it now (nothing when none waits). */
export interface Waiting {
  platform: CorePlatform;
  log: Logger;
  attempt: SignInAttempt | undefined;
  way: WayState | undefined;
}

/** Opens the provider's page for the sign-in code shown now (the code stays on screen to compare). */
export async function openCodePage({ platform, log, attempt, way }: Waiting): Promise<Result> {
  const page = way?.way === 'code' && !way.code?.expired ? way.page : undefined;
  if (!attempt || !page) return invalidRequest('No sign-in code is shown.');
  try {
    // electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK — the provider's verification page, checked to be http(s) (device-code.ts pageUrl), never renderer input
    await platform.openExternal(page);
    return { ok: true };
  } catch (error) {
    log.warn('could not open the sign-in code page', { error: toAppError(error, log).code });
    return {
      ok: false,
      error: {
        code: 'internal',
        message: 'The page could not be opened. Type the address shown into your browser.',
      },
    };
  }
}

/** Puts the sign-in code shown now on the clipboard (the text is ours, never the renderer's). */
export function copyCode({ platform, attempt, way }: Waiting): Result {
  const code = way?.way === 'code' ? way.code : undefined;
  if (!attempt || !code || code.expired) return invalidRequest('No sign-in code is shown.');
  if (!platform.copyText)
    return {
      ok: false,
      error: { code: 'way_unavailable', message: 'This app has no clipboard of its own here.' },
    };
  platform.copyText(code.userCode);
  return { ok: true };
}

/**
 * "Copy sign-in link": puts the pending sign-in's page, the authorization URL, on the clipboard.
 * The link is this sign-in's own (its `state`, PKCE challenge and redirect URI): it works once, and
 * only while the sign-in waits, with the same timeout. Once a callback came back, or the sign-in
 * completed, was cancelled, timed out or moved to another way, the receiver that would take it is
 * gone (a callback with its state is refused) and this answers `invalid_request`.
 */
export function copySignInLink({ platform, log, attempt, way }: Waiting): Result {
  const page = way?.way === 'browser' || way?.way === 'app-link' ? way : undefined;
  const url = page?.url;
  if (
    !attempt ||
    attempt.abort.signal.aborted ||
    attempt.linkUsed ||
    !url ||
    (page?.expiresAt !== undefined && Date.now() >= page.expiresAt)
  )
    return invalidRequest(
      'No sign-in is waiting, so there is no link to copy: a sign-in link works only once, while its sign-in waits.',
    );
  if (!platform.copyText)
    return {
      ok: false,
      error: {
        code: 'way_unavailable',
        message:
          'This app has no clipboard of its own here: press Reopen sign-in page and copy the address from your browser.',
      },
    };
  platform.copyText(url);
  log.info('sign-in link copied', { way: attempt.way });
  return { ok: true };
}

export function invalidRequest(message: string): Result {
  return { ok: false, error: { code: 'invalid_request', message } };
}
