import { useCallback, useEffect, useState } from 'react';
import type { ApiMessage, AppError, MessageKind } from '../../src-preload/contract.ts';
import { useSession } from './use-session.tsx';

export type MessageState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'loaded'; data: ApiMessage }
  | {
      status: 'failed';
      error: AppError;
      /** Try again was pressed and its answer is not in yet: the failure stays on screen meanwhile. */
      retrying: boolean;
      /** When Try again failed again (epoch ms), so the page can say it did try. */
      failedAgainAt?: number;
    };

type Outcome =
  | { status: 'loaded'; data: ApiMessage }
  | { status: 'failed'; error: AppError; failedAgainAt?: number };

/**
 * Asks the main process for one of the Hello World API's messages when the page opens (and again
 * on `reload`, and when another account becomes active). The main process attaches the access
 * token; the renderer never sees it. An answer belongs to the account active when it was asked
 * for: after a switch it is never shown (issue 19), the new account's is asked for instead.
 */
export function useApiMessage(
  kind: MessageKind,
  enabled: boolean,
): { state: MessageState; reload(): void } {
  const { bridge, session } = useSession();
  const account = session.status === 'signed-in' ? session.profile.sub : '';
  const [attempt, setAttempt] = useState(0);
  // Each answer remembers which request (kind, account, attempt) it belongs to; anything else is
  // still loading.
  const [answer, setAnswer] = useState<{ request: string; outcome: Outcome } | null>(null);
  const prefix = `${kind}#${account}#`;
  const request = `${prefix}${attempt}`;

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
        setAnswer((previous) => {
          const again =
            previous?.request.startsWith(prefix) && previous.outcome.status === 'failed';
          const outcome: Outcome = result.ok
            ? { status: 'loaded', data: result.data }
            : again
              ? { status: 'failed', error: result.error, failedAgainAt: Date.now() }
              : { status: 'failed', error: result.error };
          return { request, outcome };
        });
      });
    return () => {
      current = false;
    };
  }, [bridge, kind, enabled, request, prefix]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  let state: MessageState;
  if (!enabled) state = { status: 'idle' };
  else if (answer?.request === request)
    state =
      answer.outcome.status === 'failed' ? { ...answer.outcome, retrying: false } : answer.outcome;
  else if (answer?.request.startsWith(prefix) && answer.outcome.status === 'failed')
    state = { status: 'failed', error: answer.outcome.error, retrying: true };
  else state = { status: 'loading' };
  return { state, reload };
}
