import type {
  UpdateSettingSource,
  UpdateSettingView,
  UpdateState,
} from '../../../src-preload/contract.ts';
import { FOCUS_TARGET } from '../../hooks/use-focus-rule.ts';
import { useUpdates } from '../../hooks/use-updates.ts';
import { describeUpdate, heldBackNote } from './update-words.ts';

/**
 * States that show "Check for updates" (the others say why nothing would be checked). While a check
 * or its download runs it stays, busy, so focus stays on it; once the update is ready it goes and
 * "Restart to update" takes focus (the focus rule).
 */
const CHECKABLE: ReadonlySet<UpdateState['kind']> = new Set([
  'idle',
  'checking',
  'available',
  'downloading',
  'up-to-date',
  'refused',
  'failed',
]);
const CHECK_BUSY: ReadonlySet<UpdateState['kind']> = new Set([
  'checking',
  'available',
  'downloading',
]);
const RESTARTABLE: ReadonlySet<UpdateState['kind']> = new Set([
  'ready',
  'waiting-to-restart',
  'restarting',
]);

const SOURCE_WORDS: Record<UpdateSettingSource, string> = {
  managed: 'set by your organisation (app-config.json)',
  environment: 'set by the environment',
  build: 'set by this build',
};

/**
 * Settings → Updates (issue 20): this version, "Check for updates", the last result (a progress
 * bar while downloading), "Restart to update" once ready (it waits for a pending sign-in or logout
 * and says so), and the administrator's settings, read-only with their source. Busy buttons stay
 * in place (`aria-disabled`), so focus never falls to the page (the focus rule).
 */
export function UpdatesSection() {
  const { view, error, check, restart } = useUpdates();
  const state = view?.state;
  const checking = state !== undefined && CHECK_BUSY.has(state.kind);
  const restartBusy = state?.kind === 'waiting-to-restart' || state?.kind === 'restarting';
  return (
    <section className="settings card updates" aria-labelledby="updates-title">
      <div className="settings__group">
        <h2 className="settings__legend" id="updates-title">
          Updates
        </h2>
        {view ? (
          <p className="updates__version">
            This is version <strong>{view.currentVersion}</strong>.
          </p>
        ) : null}
        {view && view.settings.length > 0 ? <UpdateSettings settings={view.settings} /> : null}
        <div className="updates__result" role="status">
          {state?.kind === 'downloading' ? (
            <p className="updates__line">
              {describeUpdate({ kind: 'available', version: state.version })}
            </p>
          ) : null}
          {state ? <p className="updates__line">{describeUpdate(state)}</p> : <p>Loading…</p>}
          {state?.kind === 'up-to-date' && state.latest ? (
            <p className="field__hint">{heldBackNote(state)}</p>
          ) : null}
          {error ? <p className="updates__line">{error.message}</p> : null}
        </div>
        {state?.kind === 'downloading' ? <DownloadProgress state={state} /> : null}
        <div className="settings__buttons">
          {state && CHECKABLE.has(state.kind) ? (
            <button
              type="button"
              id="updates-check"
              className="button button--secondary-light"
              aria-disabled={checking ? true : undefined}
              onClick={() => {
                if (!checking) void check();
              }}
            >
              {state.kind === 'checking' ? 'Checking…' : 'Check for updates'}
            </button>
          ) : null}
          {state && RESTARTABLE.has(state.kind) ? (
            <button
              type="button"
              id="updates-restart"
              className="button button--primary"
              {...FOCUS_TARGET}
              aria-disabled={restartBusy ? true : undefined}
              onClick={() => {
                if (!restartBusy) void restart();
              }}
            >
              Restart to update
            </button>
          ) : null}
        </div>
      </div>
    </section>
  );
}

function DownloadProgress({ state }: { state: Extract<UpdateState, { kind: 'downloading' }> }) {
  return (
    <div
      className="updates__progress"
      role="progressbar"
      aria-label={`Downloading version ${state.version}`}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={state.percent}
      aria-valuetext={`${state.percent} %`}
    >
      <div className="updates__progress-bar" style={{ width: `${state.percent}%` }} />
    </div>
  );
}

function UpdateSettings({ settings }: { settings: UpdateSettingView[] }) {
  return (
    <dl className="updates__settings">
      {settings.map((setting) => (
        <div key={setting.name} className="updates__setting">
          <dt>
            <code>{setting.name}</code>
          </dt>
          <dd>
            <code>{setting.value}</code> — {SOURCE_WORDS[setting.source]}; read-only here.
          </dd>
        </div>
      ))}
    </dl>
  );
}
