import type { ProviderInfo } from '../../../src-preload/contract.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import type { SaveState } from './form-state.ts';

export const SAVE_ANYWAY_ID = 'settings-save-anyway';

/** Save, why it cannot act yet, "Save anyway?", and what happened after: saved, checked, failed. */
export function SaveActions({
  save,
  endsSession,
  busy,
  blockedReason,
  onSaveAnyway,
  onCheck,
}: {
  save: SaveState;
  /** Saving this form switches the app (and signs you out); false: only the proxy changes. */
  endsSession: boolean;
  busy: boolean;
  blockedReason: string;
  onSaveAnyway(): void;
  onCheck(): void;
}) {
  return (
    <>
      <div className="settings__actions">
        <button
          type="submit"
          id="settings-save"
          className="button button--primary"
          aria-disabled={busy || blockedReason ? true : undefined}
          aria-describedby="settings-save-status"
        >
          {save.status === 'saving' ? 'Saving…' : 'Save'}
        </button>
        <p className="settings__status" role="status" id="settings-save-status">
          {blockedReason || saveStatus(save, endsSession)}
        </p>
      </div>
      {save.status === 'confirm' ? (
        <div className="settings__confirm" role="group" aria-labelledby={SAVE_ANYWAY_ID}>
          <p className="settings__confirm-question" id={SAVE_ANYWAY_ID} tabIndex={-1}>
            {save.reason === 'failed'
              ? 'Check connection failed for these settings.'
              : 'Check connection has not been run for these settings.'}{' '}
            Save anyway?
          </p>
          <div className="settings__buttons">
            <button type="button" className="button button--primary" onClick={onSaveAnyway}>
              Save anyway
            </button>
            <button type="button" className="button button--secondary-light" onClick={onCheck}>
              Check connection
            </button>
          </div>
        </div>
      ) : null}
      {save.status === 'saved' &&
      (save.check.status === 'failed' || save.check.status === 'error') ? (
        <ErrorAlert
          title="Saved, but Check connection failed"
          message={
            save.check.status === 'error'
              ? save.check.error.message
              : `${save.check.summary} Signing in will not work until this is fixed:`
          }
        >
          {save.check.status === 'failed' ? (
            <ul className="settings__failed-checks">
              {save.check.lines.map((line) => (
                <li key={line.name}>
                  <strong>{line.name}:</strong> {line.detail}
                </li>
              ))}
            </ul>
          ) : null}
        </ErrorAlert>
      ) : null}
      {save.status === 'failed' ? (
        <ErrorAlert title="Not saved" message={save.error.message} />
      ) : null}
    </>
  );
}

/** What Save will do (before it is pressed) and what it did. */
export function saveStatus(save: SaveState, endsSession: boolean): string {
  switch (save.status) {
    case 'saving':
      return 'Saving…';
    case 'saved': {
      const uses = `he app now uses ${providerName(save.provider)}.`;
      const saved = save.signedOut ? `Saved. You were signed out: t${uses}` : `Saved. T${uses}`;
      if (save.check.status === 'checking') return `${saved} Checking the connection…`;
      if (save.check.status === 'passed') return `${saved} Check connection passed.`;
      return saved;
    }
    default:
      return endsSession
        ? 'Saving signs you out and switches the app to these settings.'
        : 'Saving does not sign you out: the network settings apply from the next request.';
  }
}

/** "the built-in demo provider", a tenant's host: what a sentence about the provider says. */
function providerName(provider: ProviderInfo): string {
  return provider.kind === 'demo' ? 'the built-in demo provider' : provider.label;
}
