import { useState } from 'react';
import { hrefFor, useRoute } from '../hooks/use-route.ts';
import { useUpdates } from '../hooks/use-updates.ts';
import { describeUpdate } from '../pages/settings/update-words.ts';
import { Callout } from './callout.tsx';

/**
 * A non-modal notice above every page once an update is ready (issue 20): "Restart to update", or
 * "Later" (it comes back for another version). Not on the Settings page, whose Updates section says
 * the same with the same button. No focus is taken: it must not interrupt what the person does.
 */
export function UpdateNotice() {
  const { view, restart } = useUpdates();
  const route = useRoute();
  const [later, setLater] = useState<string>();
  const state = view?.state;
  if (
    !state ||
    route === '/settings' ||
    (state.kind !== 'ready' && state.kind !== 'waiting-to-restart' && state.kind !== 'restarting')
  )
    return null;
  if (later === state.version) return null;
  const busy = state.kind !== 'ready';
  return (
    <Callout
      kind="info"
      role="status"
      className="update-notice"
      title={`Version ${state.version} is ready`}
      aria-label={`Version ${state.version} is ready`}
    >
      <p className="callout__message">
        {sentence(describeUpdate(state))} Details in <a href={hrefFor('/settings')}>Settings</a>.
      </p>
      <div className="update-notice__actions">
        <button
          type="button"
          className="button button--primary"
          aria-disabled={busy ? true : undefined}
          onClick={() => {
            if (!busy) void restart();
          }}
        >
          Restart to update
        </button>
        {state.kind === 'ready' ? (
          <button
            type="button"
            className="button button--secondary-light"
            onClick={() => setLater(state.version)}
          >
            Later
          </button>
        ) : null}
      </div>
    </Callout>
  );
}

/** Ends the line with a full stop unless it has one (or an ellipsis). */
function sentence(line: string): string {
  return /[.…]$/.test(line) ? line : `${line}.`;
}
