import { createContext, use, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { AppError, AuthBridge, SessionView } from '../../src-preload/contract.ts';
import { navigate } from './use-route.ts';
import type { RoutePath } from './use-route.ts';

/** What every component may know and do about the session. */
export interface SessionState {
  session: SessionView;
  /** The error a person should see now (session error or a failed action), until dismissed. */
  alert: AppError | null;
  dismissAlert(): void;
  /** Starts a sign-in in the system browser; `returnTo` is where to go once signed in. */
  login(returnTo?: RoutePath): Promise<void>;
  signup(returnTo?: RoutePath): Promise<void>;
  cancel(): Promise<void>;
  logout(): Promise<void>;
  bridge: AuthBridge;
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
  const cancelledByUser = useRef(false);

  const accept = useCallback((next: SessionView) => {
    setSession(next);
    // A new session view replaces the alert: its error is the latest truth about the session.
    setAlert(next.error ?? null);
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
      cancelledByUser.current = false;
      setAlert(null);
      const result = await settle(() => (flow === 'login' ? bridge.login() : bridge.signup()), {
        ok: false as const,
        error: NOT_RESPONDING,
      });
      if (result.ok) {
        accept(result.session);
        if (returnTo && result.session.status === 'signed-in') navigate(returnTo);
      } else if (!(result.error.code === 'sign_in_cancelled' && cancelledByUser.current)) {
        // The person who pressed Cancel needs no alert telling them they cancelled.
        setAlert(result.error);
      }
    },
    [bridge, accept],
  );

  const cancel = useCallback(async () => {
    cancelledByUser.current = true;
    const result = await settle(() => bridge.cancel(), { ok: false as const, error: NOT_RESPONDING });
    if (!result.ok) setAlert(result.error);
  }, [bridge]);

  const logout = useCallback(async () => {
    const result = await settle(() => bridge.logout(), { ok: false as const, error: NOT_RESPONDING });
    if (result.ok) {
      accept(result.session);
      navigate('/');
    } else {
      setAlert(result.error);
    }
  }, [bridge, accept]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      alert,
      dismissAlert: () => setAlert(null),
      login: (returnTo) => signIn('login', returnTo),
      signup: (returnTo) => signIn('signup', returnTo),
      cancel,
      logout,
      bridge,
    }),
    [session, alert, signIn, cancel, logout, bridge],
  );

  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionState {
  const state = use(SessionContext);
  if (!state) throw new Error('useSession() must be used inside <SessionProvider>.');
  return state;
}
