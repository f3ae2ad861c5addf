import { useCallback, useEffect, useState } from 'react';
import type { AppError, AuthBridge, UpdateView } from '../../src-preload/contract.ts';
import { useSession } from './use-session.tsx';

export interface Updates {
  /** Undefined until the first answer. */
  view: UpdateView | undefined;
  /** Why the last request failed (the app did not answer), until the next one. */
  error: AppError | undefined;
  check(): Promise<void>;
  restart(): Promise<void>;
}

const NOT_RESPONDING: AppError = {
  code: 'internal',
  message: 'The app is not responding. Try again in a moment.',
};

/**
 * What the app knows about updates (issue 20), kept current by `updates:changed`: Settings →
 * Updates and the "update ready" notice read it. Each request's answer carries the view too.
 */
export function useUpdates(): Updates {
  const { bridge } = useSession();
  const [view, setLatest] = useState<UpdateView>();
  const [error, setError] = useState<AppError>();
  /** The newest of what is held and what arrived (by revision). */
  const setView = useCallback(
    (next: UpdateView) =>
      setLatest((held) => (held && held.revision > next.revision ? held : next)),
    [],
  );

  useEffect(() => {
    let active = true;
    const unsubscribe = bridge.onUpdatesChanged((next) => {
      if (active) setView(next);
    });
    void bridge.getUpdates().then(
      (answer) => {
        if (!active) return;
        if (answer.ok) setView(answer.updates);
        else setError(answer.error);
      },
      () => active && setError(NOT_RESPONDING),
    );
    return () => {
      active = false;
      unsubscribe();
    };
  }, [bridge, setView]);

  const run = useCallback(
    async (request: () => ReturnType<AuthBridge['getUpdates']>) => {
      setError(undefined);
      try {
        const answer = await request();
        if (answer.ok) setView(answer.updates);
        else setError(answer.error);
      } catch {
        setError(NOT_RESPONDING);
      }
    },
    [setView],
  );

  return {
    view,
    error,
    check: useCallback(() => run(() => bridge.checkForUpdates()), [bridge, run]),
    restart: useCallback(() => run(() => bridge.restartToUpdate()), [bridge, run]),
  };
}
