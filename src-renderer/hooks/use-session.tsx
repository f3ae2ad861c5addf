import { createContext, use, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type {
  AppError,
  AuthBridge,
  OtherSignInWay,
  ProviderLogoutResult,
  RevocationResult,
  SessionView,
} from '../../src-preload/contract.ts';
import { focusElement } from './use-focus-rule.ts';
import { navigate } from './use-route.ts';
import type { RoutePath } from './use-route.ts';

/** Something a person should know that is not an error (neutral, dismissible). */
export interface Notice {
  title: string;
  message: string;
}

/** What every component may know and do about the session. */
export interface SessionState {
  session: SessionView;
  /** The error a person should see now (session error or a failed action), until dismissed. */
  alert: AppError | null;
  dismissAlert(): void;
  /** A neutral notice (Log Out opened the browser, a sign-in was cancelled), until dismissed. */
  notice: Notice | null;
  dismissNotice(): void;
  /** Said to screen readers only (a polite live region): "Switched to <name>" after a switch. */
  announcement: string;
  /** Starts a sign-in in the system browser; `returnTo` is where to go once signed in. */
  login(returnTo?: RoutePath): Promise<void>;
  signup(returnTo?: RoutePath): Promise<void>;
  cancel(): Promise<void>;
  /** Opens the pending sign-in's page again. */
  reopen(): Promise<void>;
  /** "Try another way": switches the pending sign-in (the pending login/signup call still ends it). */
  switchWay(way: OtherSignInWay): Promise<void>;
  logout(): Promise<void>;
  /**
   * After a logout that could not reach the sign-in service: tries again to end the session there.
   * Resolves false when it still cannot be reached.
   */
  endProviderSession(): Promise<boolean>;
  /**
   * "Add another account" (issue 19): a sign-in with the provider's login page, whatever session the
   * browser holds. An account added already is updated and made active: the notice says so.
   */
  addAccount(): Promise<void>;
  /** Makes another signed-in account the active one (no browser, no network). */
  switchAccount(sub: string): Promise<void>;
  /** Signs out of one account; the next becomes active, or the app is signed out after the last. */
  signOutAccount(sub: string): Promise<void>;
  bridge: AuthBridge;
}

/** Errors that are not failures from the person's point of view: shown as a neutral notice. */
const CANCELLED: Notice = {
  title: 'Sign-in cancelled',
  message: 'You can log in again whenever you are ready.',
};

const PROVIDER_LOGOUT_OPENED: Notice = {
  title: 'You are logged out',
  message:
    'We opened your web browser to end your session at the sign-in service too. You can close that tab once it says you are logged out.',
};

/** The one line Log Out adds when the provider would not revoke the refresh token (RFC 7009 §2.1). */
const REVOCATION_REFUSED =
  'The sign-in service refuses to revoke tokens for this app, so its refresh token stays valid there until it expires.';

/** What to tell the person after Log Out (or its retry); 'unreachable' shows from the session itself. */
function logoutNotice(result: {
  providerLogout: ProviderLogoutResult;
  revocation?: RevocationResult;
}): Notice | null {
  const refused = result.revocation === 'refused';
  if (result.providerLogout === 'opened')
    return refused
      ? {
          ...PROVIDER_LOGOUT_OPENED,
          message: `${PROVIDER_LOGOUT_OPENED.message} ${REVOCATION_REFUSED}`,
        }
      : PROVIDER_LOGOUT_OPENED;
  if (refused) return { title: 'You are logged out of this app', message: REVOCATION_REFUSED };
  return null;
}

const ALREADY_SIGNING_IN_WITH_CODE: Notice = {
  title: 'You are already signing in',
  message: 'Finish with the code shown here, or press Cancel to start again.',
};

const ALREADY_CHOOSING: Notice = {
  title: 'You are already signing in',
  message: 'Choose one of the ways shown here, or press Cancel to start again.',
};

/** Sign Up while a Log In waits (or the other way round): the waiting one is brought forward. */
function otherFlowWaiting(waiting: 'login' | 'signup'): Notice {
  return waiting === 'login'
    ? {
        title: 'A sign-in is already waiting',
        message:
          'We brought its page forward in your browser. To create an account instead, press Cancel, then Sign Up.',
      }
    : {
        title: 'A sign-up is already waiting',
        message:
          'We brought its page forward in your browser. To log in to an existing account instead, press Cancel, then Log In.',
      };
}

/** After "Add another account" found the person's account already there (the core's words). */
function alreadyAdded(notice: string): Notice {
  return {
    title: notice,
    message: 'That account was signed in here already: it is signed in again, not added twice.',
  };
}

/** After "Sign out of <name>": who is active now (focus stays on the account menu's button). */
function signedOutOf(name: string, session: SessionView): Notice {
  const next = session.status === 'signed-in' ? session.accounts.find((a) => a.active) : undefined;
  return {
    title: `Signed out of ${name}`,
    message: next ? `${next.name} is the active account now.` : 'No account is signed in here now.',
  };
}

const SessionContext = createContext<SessionState | null>(null);

const RESTORING: SessionView = { status: 'restoring', persistence: 'encrypted' };

const NOT_RESPONDING: AppError = {
  code: 'internal',
  message: 'The app is not responding. Try again in a moment.',
};

/** The bridge promises never to reject; this keeps the UI truthful even if one does. */
async function settle<T>(call: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await call();
  } catch {
    return fallback;
  }
}

/**
 * Owns the session for the whole renderer: reads it once, then follows `session:changed`.
 * Responses from login/signup/logout carry the session too; all paths go through `accept`.
 */
export function SessionProvider({ bridge, children }: { bridge: AuthBridge; children: ReactNode }) {
  const [session, setSession] = useState<SessionView>(RESTORING);
  const [alert, setAlert] = useState<AppError | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [announcement, setAnnouncement] = useState('');
  // The view that last set the alert/notice: an event repeating the same view must not bring back
  // what the person dismissed.
  const lastError = useRef<AppError | undefined>(undefined);

  /** The session as last accepted, for callbacks that must not be re-made on every change. */
  const current = useRef<SessionView>(RESTORING);

  const accept = useCallback((next: SessionView) => {
    current.current = next;
    setSession(next);
    // A new session error replaces the alert: it is the latest truth about the session.
    if (sameError(next.error, lastError.current)) return;
    lastError.current = next.error;
    if (next.error?.code === 'sign_in_cancelled') {
      // Cancelling one's own sign-in is not a failure.
      setAlert(null);
      setNotice(CANCELLED);
    } else if (next.error?.code === 'config_invalid' && next.provider?.kind === 'none') {
      // A setting the app cannot use is said once, by the page (Not configured, Settings).
      setAlert(null);
    } else {
      setAlert(next.error ?? null);
      if (next.error) setNotice(null);
    }
  }, []);

  useEffect(() => {
    let active = true;
    let heardEvent = false;
    const unsubscribe = bridge.onSessionChanged((next) => {
      heardEvent = true;
      if (active) accept(next);
    });
    void settle(() => bridge.getSession(), {
      status: 'signed-out',
      persistence: 'encrypted',
      error: NOT_RESPONDING,
    } satisfies SessionView).then((initial) => {
      // An event that arrived while we waited is newer than this answer.
      if (active && !heardEvent) accept(initial);
    });
    return () => {
      active = false;
      unsubscribe();
    };
  }, [bridge, accept]);

  const signIn = useCallback(
    async (flow: 'login' | 'signup', returnTo?: RoutePath) => {
      setAlert(null);
      setNotice(null);
      // Pressed again while a sign-in waits (issue 22, L2): say what happens instead of nothing.
      const waiting = current.current;
      if (waiting.status === 'signing-in') {
        const way = waiting.signIn?.way;
        if (way === 'code' || way === 'choose') {
          // Nothing to bring forward: the way to finish is on this screen.
          setNotice(way === 'code' ? ALREADY_SIGNING_IN_WITH_CODE : ALREADY_CHOOSING);
          focusElement(
            document.querySelector('[data-testid="user-code"]') ??
              document.querySelector('#choose-way-title'),
          );
          return;
        }
        // The pending one's page comes forward (the core reopens it): say it is not a new one.
        if (waiting.flow && waiting.flow !== flow) setNotice(otherFlowWaiting(waiting.flow));
      }
      // A second Log In while one waits joins it (the app reopens its page): same answer for both.
      const result = await settle(() => (flow === 'login' ? bridge.login() : bridge.signup()), {
        ok: false as const,
        error: NOT_RESPONDING,
      });
      if (result.ok) {
        accept(result.session);
        if (returnTo && result.session.status === 'signed-in') navigate(returnTo);
      } else if (result.error.code === 'sign_in_cancelled') {
        setNotice(CANCELLED);
      } else {
        setAlert(result.error);
      }
    },
    [bridge, accept],
  );

  const cancel = useCallback(async () => {
    const result = await settle(() => bridge.cancel(), {
      ok: false as const,
      error: NOT_RESPONDING,
    });
    if (!result.ok) setAlert(result.error);
  }, [bridge]);

  const reopen = useCallback(async () => {
    const result = await settle(() => bridge.reopen(), {
      ok: false as const,
      error: NOT_RESPONDING,
    });
    if (!result.ok) setAlert(result.error);
  }, [bridge]);

  const switchWay = useCallback(
    async (way: OtherSignInWay) => {
      // The new way's views arrive as session events (an answer could be older than they are).
      const result = await settle(() => bridge.useWay(way), {
        ok: false as const,
        error: NOT_RESPONDING,
      });
      if (!result.ok) setAlert(result.error);
    },
    [bridge],
  );

  const logout = useCallback(async () => {
    setAlert(null);
    setNotice(null);
    const result = await settle(() => bridge.logout(), {
      ok: false as const,
      error: NOT_RESPONDING,
    });
    if (result.ok) {
      accept(result.session);
      // 'unreachable' is shown from the session itself (providerSession), with a retry.
      setNotice(logoutNotice(result));
      navigate('/');
    } else {
      setAlert(result.error);
    }
  }, [bridge, accept]);

  const endProviderSession = useCallback(async () => {
    const result = await settle(() => bridge.endProviderSession(), {
      ok: false as const,
      error: NOT_RESPONDING,
    });
    if (!result.ok) {
      setAlert(result.error);
      return false;
    }
    accept(result.session);
    setNotice(logoutNotice(result));
    return result.providerLogout !== 'unreachable';
  }, [bridge, accept]);

  const addAccount = useCallback(async () => {
    setAlert(null);
    setNotice(null);
    const result = await settle(() => bridge.addAccount(), {
      ok: false as const,
      error: NOT_RESPONDING,
    });
    if (result.ok) {
      accept(result.session);
      if (result.notice) setNotice(alreadyAdded(result.notice));
    } else if (result.error.code === 'sign_in_cancelled') {
      setNotice(CANCELLED);
    } else {
      setAlert(result.error);
    }
  }, [bridge, accept]);

  const switchAccount = useCallback(
    async (sub: string) => {
      setAlert(null);
      setNotice(null);
      setAnnouncement('');
      const result = await settle(() => bridge.switchAccount(sub), {
        ok: false as const,
        error: NOT_RESPONDING,
      });
      if (!result.ok) {
        setAlert(result.error);
        return;
      }
      accept(result.session);
      // Focus stays on the menu button, whose new name not every screen reader reads again.
      const active =
        result.session.status === 'signed-in'
          ? result.session.accounts.find((account) => account.active)
          : undefined;
      if (active) setAnnouncement(`Switched to ${active.name}`);
    },
    [bridge, accept],
  );

  const signOutAccount = useCallback(
    async (sub: string) => {
      setAlert(null);
      setNotice(null);
      const before = current.current;
      const name =
        before.status === 'signed-in'
          ? (before.accounts.find((account) => account.sub === sub)?.name ?? sub)
          : sub;
      const result = await settle(() => bridge.signOutAccount(sub), {
        ok: false as const,
        error: NOT_RESPONDING,
      });
      if (!result.ok) {
        setAlert(result.error);
        return;
      }
      accept(result.session);
      setNotice(signedOutOf(name, result.session));
      // After the last account, as after Log Out: the Home page (the others need a sign-in).
      if (result.session.status !== 'signed-in') navigate('/');
    },
    [bridge, accept],
  );

  const value = useMemo<SessionState>(
    () => ({
      session,
      alert,
      dismissAlert: () => setAlert(null),
      notice,
      dismissNotice: () => setNotice(null),
      announcement,
      login: (returnTo) => signIn('login', returnTo),
      signup: (returnTo) => signIn('signup', returnTo),
      cancel,
      reopen,
      switchWay,
      logout,
      endProviderSession,
      addAccount,
      switchAccount,
      signOutAccount,
      bridge,
    }),
    [
      session,
      alert,
      notice,
      announcement,
      signIn,
      cancel,
      reopen,
      switchWay,
      logout,
      endProviderSession,
      addAccount,
      switchAccount,
      signOutAccount,
      bridge,
    ],
  );

  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionState {
  const state = use(SessionContext);
  if (!state) throw new Error('useSession() must be used inside <SessionProvider>.');
  return state;
}

function sameError(a: AppError | undefined, b: AppError | undefined): boolean {
  return a?.code === b?.code && a?.message === b?.message;
}
