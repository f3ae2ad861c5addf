import { useEffect, useState } from 'react';
import type { AppError, ProviderInfo, SigningInView } from '../../src-preload/contract.ts';
import { FOCUS_TARGET } from '../hooks/use-focus-rule.ts';
import { hrefFor, useRoute } from '../hooks/use-route.ts';
import { useSession } from '../hooks/use-session.tsx';
import { Callout } from './callout.tsx';
import { ErrorAlert } from './error-alert.tsx';
import {
  CancelSignIn,
  ChooseWay,
  SignInCode,
  SignInCodeBar,
  TryAnotherWay,
} from './sign-in-ways.tsx';
import { stillFailing } from './still-failing.ts';

const ALERT_TITLES: Partial<Record<AppError['code'], string>> = {
  provider_unreachable: 'Cannot reach the sign-in service',
  provider_error: 'The sign-in service reported a problem',
  access_denied: 'Sign-in was not allowed',
  callback_invalid: 'Sign-in could not be completed',
  sign_in_timeout: 'Sign-in timed out',
  session_expired: 'Your session has ended',
  storage_unreadable: 'Your saved session could not be read',
  storage_not_encrypted: 'Your session cannot be saved securely',
  storage_unwritable: 'Your saved session could not be deleted',
  ports_busy: 'Sign-in could not start',
  code_expired: 'The sign-in code expired',
  way_unavailable: 'That way to sign in is not available',
  config_invalid: 'The app is not configured correctly',
  preview_locked: 'Open the link printed in the terminal',
  accounts_full: 'No more accounts can be added',
};

/** What the session says right now, above every page: sign-in in progress, errors, notices, persistence. */
export function SessionNotices() {
  const { session, alert, dismissAlert, notice, dismissNotice, announcement } = useSession();
  const notEnded = session.status === 'signed-out' && session.providerSession === 'not-ended';
  // One problem, one alert (issue 22, L5): a Log In that cannot reach the sign-in service while the
  // warning about its session says so already is told inside that warning.
  const alertInWarning = notEnded && alert?.code === 'provider_unreachable';
  return (
    <div className="session-notices">
      {/* Always there, so a screen reader hears what is put in it (e.g. "Switched to Bob Builder"). */}
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
      {session.status === 'signing-in' ? <SigningIn session={session} /> : null}
      {notEnded ? <ProviderSessionNotEnded loginUnreachable={alertInWarning} /> : null}
      {alert && !alertInWarning ? (
        <ErrorAlert
          title={ALERT_TITLES[alert.code]}
          message={alert.message}
          onDismiss={dismissAlert}
          focusTarget
        >
          {pointsToSettings(alert, session.provider) ? (
            <p className="callout__message">
              Check the Domain in <a href={hrefFor('/settings')}>Settings</a>.
            </p>
          ) : null}
        </ErrorAlert>
      ) : null}
      {notice ? (
        <Callout
          kind="info"
          role="status"
          {...FOCUS_TARGET}
          icon={<InfoIcon />}
          title={notice.title}
          onDismiss={dismissNotice}
        >
          <p className="callout__message">{notice.message}</p>
        </Callout>
      ) : null}
      {session.persistence === 'memory' && session.status !== 'restoring' ? (
        <div className="callout callout--info">
          <InfoIcon />
          <div className="callout__body">
            <p className="callout__title">Your session will not be remembered</p>
            <p className="callout__message">
              This computer offers no encryption for saved sign-ins, so you will need to log in
              again after the app closes.
            </p>
          </div>
        </div>
      ) : null}
    </div>
  );
}

/**
 * A provider the person saved in Settings that cannot be reached, or answers wrongly: the likely
 * cause is a value typed there (issue 22, M7), so the alert points there.
 */
function pointsToSettings(alert: AppError, provider: ProviderInfo | undefined): boolean {
  return (
    (alert.code === 'provider_unreachable' || alert.code === 'provider_error') &&
    provider?.kind === 'tenant' &&
    provider.source === 'saved'
  );
}

/** The pending sign-in, by the way it is taking: the browser (or app link), a code, or a choice. */
function SigningIn({ session }: { session: SigningInView }) {
  const route = useRoute();
  // The code panel in full on the page where the sign-in started (or where it was asked back).
  const [fullOn, setFullOn] = useState(route);
  const { signIn } = session;
  if (signIn.way === 'code' && signIn.code) {
    if (route !== fullOn)
      return <SignInCodeBar code={signIn.code} onShow={() => setFullOn(route)} />;
    return <SignInCode key={signIn.code.userCode} code={signIn.code} ways={signIn.otherWays} />;
  }
  if (signIn.way === 'code') {
    return (
      <section className="callout callout--progress" aria-labelledby="getting-code-title">
        <span className="page-loader__spinner" aria-hidden="true" />
        <div className="callout__body" role="status">
          <h2 className="callout__title" id="getting-code-title" {...FOCUS_TARGET}>
            Getting a sign-in code…
          </h2>
        </div>
        <CancelSignIn />
      </section>
    );
  }
  if (signIn.way === 'choose')
    return <ChooseWay reason={signIn.notice?.message} ways={signIn.otherWays} />;
  return <SigningInBanner session={session} />;
}

function signingInMessage(session: SigningInView): string {
  const page = session.flow === 'signup' ? 'sign-up page' : 'sign-in page';
  const action = session.flow === 'signup' ? 'Create your account there' : 'Sign in there';
  if (session.signIn.way === 'app-link') {
    return `We opened the ${page} in your web browser. ${action}; your browser then hands you back to this app (it may ask whether to open it).`;
  }
  return `We opened the ${page} in your web browser. ${action}; this window updates by itself.`;
}

/** While an account is added: who stays signed in, and where Cancel goes back to. */
export function addingBeside(session: SigningInView): string | undefined {
  const active = session.accounts?.find((account) => account.active);
  return active
    ? `Adding an account: ${active.name} stays signed in, and Cancel goes back to ${active.name}.`
    : undefined;
}

/** The banner's heading, by flow: "Finish signing in with your browser" / "… signing up …". */
export function signingInTitle(flow: SigningInView['flow']): string {
  return flow === 'signup'
    ? 'Finish signing up with your browser'
    : 'Finish signing in with your browser';
}

/**
 * The waiting banner: what to do, the time left, Reopen and Cancel, then the other ways. The order
 * on screen is the order for the keyboard (issue 22, L10), and it stacks at every width, so it
 * needs no breakpoint (L8: at 200 % zoom one used to miss by a fraction of a pixel).
 */
function SigningInBanner({ session }: { session: SigningInView }) {
  const { reopen } = useSession();
  const timeLeft = useTimeLeft(session.expiresAt);
  const page = session.flow === 'signup' ? 'sign-up page' : 'sign-in page';
  const link = useCopySignInLink(session.expiresAt);
  return (
    <section
      className="callout callout--progress sign-in-banner"
      aria-labelledby="signing-in-title"
    >
      <span className="page-loader__spinner" aria-hidden="true" />
      <div className="callout__body">
        <div role="status">
          <h2 className="callout__title" id="signing-in-title" {...FOCUS_TARGET}>
            {signingInTitle(session.flow)}
          </h2>
          <p className="callout__message">{signingInMessage(session)}</p>
          {addingBeside(session) ? (
            <p className="callout__message">{addingBeside(session)}</p>
          ) : null}
        </div>
        {timeLeft ? <p className="callout__meta">{timeLeft}</p> : null}
        <div className="callout__actions">
          <button
            type="button"
            className="button button--secondary-light"
            onClick={() => void reopen()}
          >
            Reopen {page}
          </button>
          {/* Once the page's address exists (with the timer); it stays after a copy: focus stays. */}
          {session.expiresAt !== undefined ? (
            <button
              type="button"
              className="button button--secondary-light"
              onClick={() => void link.copy()}
            >
              Copy {session.flow === 'signup' ? 'sign-up' : 'sign-in'} link
            </button>
          ) : null}
          <CancelSignIn />
        </div>
        <p className="sign-in-banner__status" role="status">
          {link.said ?? ''}
        </p>
        {/* Keyed by the way: after a switch the list starts closed again, as for a new sign-in. */}
        <TryAnotherWay key={session.signIn.way} ways={session.signIn.otherWays} />
      </div>
    </section>
  );
}

/** What the banner says once the sign-in link was copied: where it works, and for how long. */
export const SIGN_IN_LINK_COPIED =
  'Link copied. Paste it into another browser on this computer: it works once, until the time above runs out.';

/**
 * "Copy sign-in link" (issue 19): main puts the pending sign-in's page on the clipboard (the page
 * never sees the address) and answers ok or why not. What it said belongs to one link, the one
 * that expires at `expiresAt`: after a switch of way (a new link) the line starts empty again.
 */
function useCopySignInLink(expiresAt: number | undefined) {
  const { bridge } = useSession();
  const [answer, setAnswer] = useState<{ expiresAt: number | undefined; said: string } | null>(
    null,
  );
  async function copy(): Promise<void> {
    const result = await bridge.copySignInLink().catch(() => ({
      ok: false as const,
      error: { message: 'The app is not responding. Try again in a moment.' },
    }));
    setAnswer({ expiresAt, said: result.ok ? SIGN_IN_LINK_COPIED : result.error.message });
  }
  return { copy, said: answer && answer.expiresAt === expiresAt ? answer.said : undefined };
}

/** After a Log Out that could not reach the sign-in service: say so, and offer to try again. */
function ProviderSessionNotEnded({ loginUnreachable }: { loginUnreachable: boolean }) {
  const { endProviderSession } = useSession();
  const [trying, setTrying] = useState(false);
  const [stillUnreachableAt, setStillUnreachableAt] = useState<number | null>(null);
  return (
    <div className="callout callout--warning" role="alert">
      <svg className="callout__icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
        <path d="M10 2.5l8 14.5H2z" />
        <path d="M10 8v4.5M10 14.5v.5" />
      </svg>
      <div className="callout__body">
        <p className="callout__title">Your session at the sign-in service may still be open</p>
        <p className="callout__message">
          You are signed out of this app, but the sign-in service could not be reached to end your
          session there. Until it is ended, the next Log In will ask for your password.
        </p>
        {loginUnreachable ? (
          <p className="callout__message">
            Log In could not reach it either: check your connection, then try again.
          </p>
        ) : null}
        {stillUnreachableAt !== null && !trying ? (
          <p className="callout__message">
            {stillFailing('Still cannot reach the sign-in service', stillUnreachableAt)}
          </p>
        ) : null}
        {/* Busy, not disabled: focus stays on it while it tries (the focus rule). */}
        <button
          type="button"
          className="button button--secondary-light callout__action"
          aria-disabled={trying ? true : undefined}
          {...FOCUS_TARGET}
          onClick={() => {
            if (trying) return;
            setTrying(true);
            void endProviderSession().then((ended) => {
              setTrying(false);
              setStillUnreachableAt(ended ? null : Date.now());
            });
          }}
        >
          {trying ? 'Trying…' : 'Try again'}
        </button>
      </div>
    </div>
  );
}

function InfoIcon() {
  return (
    <svg className="callout__icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
      <circle cx="10" cy="10" r="9" />
      <path d="M10 9v5.5M10 5.5v1" />
    </svg>
  );
}

/** "About 5 minutes left": the time until the app stops waiting, in minutes, updated as it runs. */
function useTimeLeft(expiresAt: number | undefined): string | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (expiresAt === undefined) return;
    const timer = setInterval(() => setNow(Date.now()), 10_000);
    return () => clearInterval(timer);
  }, [expiresAt]);
  if (expiresAt === undefined) return null;
  return describeTimeLeft(expiresAt - now);
}

export function describeTimeLeft(ms: number): string {
  if (ms < 60_000) return 'Less than a minute left';
  const minutes = Math.round(ms / 60_000);
  return minutes === 1 ? 'About 1 minute left' : `About ${minutes} minutes left`;
}
