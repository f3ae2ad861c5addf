import { useCallback, useEffect, useState } from 'react';
import type { ApiMessage, AppError, MessageKind } from '../../src-preload/contract.ts';
import { useSession } from './use-session.tsx';

export type MessageState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'loaded'; data: ApiMessage }
  | { status: 'failed'; error: AppError };

type Outcome = Extract<MessageState, { status: 'loaded' | 'failed' }>;

/**
 * Asks the main process for one of the Hello World API's messages when the page opens (and again
 * on `reload`). The main process attaches the access token; the renderer never sees it.
 */
export function useApiMessage(
  kind: MessageKind,
  enabled: boolean,
): { state: MessageState; reload(): void } {
  const { bridge } = useSession();
  const [attempt, setAttempt] = useState(0);
  // Each answer remembers which request it belongs to; anything else is still loading.
  const [answer, setAnswer] = useState<{ request: string; outcome: Outcome } | null>(null);
  const request = `${kind}#${attempt}`;

  useEffect(() => {
    if (!enabled) return;
    let current = true;
    bridge
      .getMessage(kind)
      .catch(() => ({
        ok: false as const,
        error: {
          code: 'internal' as const,
          message: 'The app is not responding. Try again in a moment.',
        },
      }))
      .then((result) => {
        if (!current) return;
        const outcome: Outcome = result.ok
          ? { status: 'loaded', data: result.data }
          : { status: 'failed', error: result.error };
        setAnswer({ request, outcome });
      });
    return () => {
      current = false;
    };
  }, [bridge, kind, enabled, request]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  let state: MessageState;
  if (!enabled) state = { status: 'idle' };
  else if (answer?.request !== request) state = { status: 'loading' };
  else state = answer.outcome;
  return { state, reload };
}
