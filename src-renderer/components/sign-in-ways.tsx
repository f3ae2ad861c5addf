/**
 * "Try another way" while signing in: the app link (RFC 8252 §7.1) and the sign-in code (RFC 8628),
 * and the code screen itself. The main process decides which ways are offered (`signIn.otherWays`);
 * this only shows them. The device code never reaches this window: only the short user code does.
 */
import { useEffect, useId, useState } from 'react';
import type { OtherSignInWay, SignInCodeView } from '../../src-preload/contract.ts';
import { FOCUS_TARGET } from '../hooks/use-focus-rule.ts';
import { useSession } from '../hooks/use-session.tsx';

const WAY_LABELS: Record<OtherSignInWay, string> = {
  'app-link': 'Use the app link',
  code: 'Sign in with a code',
};

const WAY_HINTS: Record<OtherSignInWay, string> = {
  'app-link': 'Your browser hands the sign-in back to this app instead of to a local address.',
  code: 'Enter a short code on a sign-in page, in any browser, even on another device.',
};

/** Cancel for the pending sign-in, whichever way it takes. */
export function CancelSignIn() {
  const { cancel } = useSession();
  return (
    <button type="button" className="button button--secondary-light" onClick={() => void cancel()}>
      Cancel
    </button>
  );
}

/** The ways offered now, as buttons; and why the app link is not among them, when the OS says. */
function WayButtons({ ways }: { ways: readonly OtherSignInWay[] }) {
  const { switchWay, session } = useSession();
  const appLinkMissing =
    ways.includes('app-link') || session.status !== 'signing-in'
      ? undefined
      : session.signIn.appLinkMissing;
  return (
    <ul className="sign-in-ways__list">
      {ways.map((way) => (
        <li key={way} className="sign-in-ways__item">
          <button
            type="button"
            className="button button--secondary-light"
            onClick={() => void switchWay(way)}
          >
            {WAY_LABELS[way]}
          </button>
          <span className="sign-in-ways__hint">{WAY_HINTS[way]}</span>
        </li>
      ))}
      {appLinkMissing ? (
        <li className="sign-in-ways__item">
          <span className="sign-in-ways__hint">
            {WAY_LABELS['app-link']} is not available here: {appLinkMissing}.
          </span>
        </li>
      ) : null}
    </ul>
  );
}

/** Under "Finish signing in with your browser": a disclosure with the other ways. */
export function TryAnotherWay({ ways }: { ways: readonly OtherSignInWay[] }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  if (ways.length === 0) return null;
  return (
    <div className="sign-in-ways">
      <button
        type="button"
        className="link-button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
      >
        {open ? 'Hide other ways' : 'Having trouble? Try another way'}
      </button>
      <div id={panelId} hidden={!open}>
        <WayButtons ways={ways} />
      </div>
    </div>
  );
}

/** When the default way cannot start at all (every callback port taken): say so, offer the others. */
export function ChooseWay({
  reason,
  ways,
}: {
  reason: string | undefined;
  ways: readonly OtherSignInWay[];
}) {
  return (
    <section className="callout callout--progress sign-in-panel" aria-labelledby="choose-way-title">
      <div className="callout__body">
        <h2 className="callout__title" id="choose-way-title" {...FOCUS_TARGET}>
          Choose another way to sign in
        </h2>
        <p className="callout__message">
          {reason ?? 'Signing in through your browser cannot start on this computer.'}
        </p>
        <WayButtons ways={ways} />
      </div>
      <CancelSignIn />
    </section>
  );
}

function minutesLeft(expiresAt: number, now: number): string {
  const minutes = Math.max(1, Math.ceil((expiresAt - now) / 60_000));
  return minutes === 1 ? 'about a minute' : `${minutes} minutes`;
}

/**
 * The sign-in code screen (RFC 8628 §3.3): the code large, where to enter it, and a warning. Keyed by
 * the code where it is used, so a new code starts with fresh Copy/Open states.
 */
export function SignInCode({
  code,
  ways,
}: {
  code: SignInCodeView;
  ways: readonly OtherSignInWay[];
}) {
  const { switchWay, bridge } = useSession();
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const [opening, setOpening] = useState<'idle' | 'failed'>('idle');
  const [now, setNow] = useState(() => Date.now());
  const titleId = useId();

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);

  async function copyCode(): Promise<void> {
    // Main copies the code it holds (Electron); a host without a clipboard of its own (the preview)
    // lets the page copy.
    const answer = await bridge.copyCode().catch(() => ({ ok: false as const }));
    if (answer.ok) return setCopy('copied');
    try {
      await navigator.clipboard.writeText(code.userCode);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  }

  async function openPage(): Promise<void> {
    const answer = await bridge.openCodePage().catch(() => ({ ok: false as const }));
    setOpening(answer.ok ? 'idle' : 'failed');
  }

  const otherWays = ways.filter((way) => way !== 'code');
  return (
    <section className="sign-in-code" aria-labelledby={titleId}>
      <h2 className="sign-in-code__title" id={titleId}>
        Sign in with a code
      </h2>
      {code.expired ? (
        <div className="sign-in-code__expired" role="alert">
          <p>This code has expired: it can no longer be used. Get a new code to try again.</p>
          <button
            type="button"
            className="button button--primary"
            onClick={() => void switchWay('code')}
          >
            Get a new code
          </button>
        </div>
      ) : null}
      <ol className="sign-in-code__steps">
        <li>
          <span className="sign-in-code__step-title">Go to</span>{' '}
          <span className="sign-in-code__address" data-testid="verification-uri">
            {code.verificationUri}
          </span>
          <div className="sign-in-code__actions">
            <button
              type="button"
              className="button button--secondary-light"
              onClick={() => void (code.expired ? undefined : openPage())}
              aria-disabled={code.expired ? true : undefined}
            >
              Open the page
            </button>
          </div>
          {opening === 'failed' ? (
            <p className="sign-in-code__note" role="status">
              The page could not be opened. Type the address above into any browser.
            </p>
          ) : null}
        </li>
        <li>
          <span className="sign-in-code__step-title">Enter this code</span>
          <p
            className={
              code.expired ? 'sign-in-code__code sign-in-code__code--expired' : 'sign-in-code__code'
            }
            aria-label={`Your sign-in code: ${code.userCode.split('').join(' ')}`}
            data-testid="user-code"
            {...FOCUS_TARGET}
          >
            {code.userCode}
          </p>
          <div className="sign-in-code__actions">
            <button
              type="button"
              className="button button--secondary-light"
              onClick={() => void (code.expired ? undefined : copyCode())}
              aria-disabled={code.expired ? true : undefined}
            >
              {copy === 'copied' ? 'Copied' : 'Copy code'}
            </button>
            <span className="sign-in-code__note" role="status">
              {copy === 'copied'
                ? 'The code is on your clipboard.'
                : copy === 'failed'
                  ? 'Copy failed: select the code and copy it.'
                  : ''}
            </span>
          </div>
        </li>
        <li>
          <span className="sign-in-code__step-title">Log in and confirm.</span> This window updates
          by itself.
        </li>
      </ol>
      <p className="sign-in-code__warning">
        <strong>Enter this code only if you started signing in to this app just now.</strong> Never
        enter a code that someone sent you: whoever made it would get into your account.
      </p>
      <div className="sign-in-code__footer">
        {code.expired ? null : (
          <span className="sign-in-code__expiry">
            The code works for {minutesLeft(code.expiresAt, now)}.
          </span>
        )}
        {otherWays.length > 0 ? <TryAnotherWay ways={otherWays} /> : null}
        <CancelSignIn />
      </div>
    </section>
  );
}

/**
 * The pending code on any other page than the one it was asked for on: one line instead of the
 * whole panel (issue 22, L8: the panel covered every page). "Show the steps" brings the panel back.
 */
export function SignInCodeBar({ code, onShow }: { code: SignInCodeView; onShow(): void }) {
  const titleId = useId();
  return (
    <section className="callout callout--progress sign-in-code-bar" aria-labelledby={titleId}>
      <div className="callout__body">
        <h2 className="callout__title" id={titleId}>
          Signing in with a code
        </h2>
        <p className="callout__message">
          {code.expired ? 'The code expired.' : 'Your code:'}{' '}
          <span className="sign-in-code-bar__code">{code.userCode}</span>
        </p>
      </div>
      <div className="callout__actions">
        <button type="button" className="button button--secondary-light" onClick={onShow}>
          Show the steps
        </button>
        <CancelSignIn />
      </div>
    </section>
  );
}
