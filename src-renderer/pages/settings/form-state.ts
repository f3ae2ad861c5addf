/**
 * The Settings form as one state and one reducer: what was loaded, what is typed, what the main
 * process said about it, which messages show, and where Check connection and Save are. Pure (no
 * bridge, no DOM): the page sends what happened, the reducer says what the form is now.
 */
import {
  SETTING_NAMES,
  type AppError,
  type ConnectionCheckLine,
  type DemoAddressField,
  type FieldErrors,
  type FormCheck,
  type ProviderInfo,
  type Registration,
  type SettingName,
  type SettingsForm,
  type SettingsView,
} from '../../../src-preload/contract.ts';

export type CheckState =
  | { status: 'idle' }
  | { status: 'checking' }
  | { status: 'done'; checks: ConnectionCheckLine[]; ms: number }
  | { status: 'failed'; error: AppError };
/** The Check connection the app runs by itself right after a Save (issue 22, H1). */
export type AfterSaveCheck =
  | { status: 'checking' }
  | { status: 'passed' }
  /** The lines that failed (not the skipped ones), and the summary Check connection gives. */
  | { status: 'failed'; lines: ConnectionCheckLine[]; summary: string }
  | { status: 'error'; error: AppError };
export type SaveState =
  | { status: 'idle' }
  | { status: 'saving' }
  /** Save pressed before a Check connection passed for these settings: "Save anyway?" (M7). */
  | { status: 'confirm'; reason: 'unchecked' | 'failed' }
  | { status: 'saved'; provider: ProviderInfo; signedOut: boolean; check: AfterSaveCheck }
  | { status: 'failed'; error: AppError };

export interface SettingsState {
  loaded: SettingsView | null;
  loadError: AppError | null;
  form: SettingsForm;
  errors: FieldErrors;
  registration: Registration;
  demoAddresses: DemoAddressField[];
  /** Saving the form as the main process last saw it signs you out (a switch), or keeps the session. */
  saveEndsSession: boolean;
  /** Why the system's proxy settings the form uses cannot be used (the environment's HTTPS_PROXY…). */
  networkProblem: string | undefined;
  /** A validation of the latest form is on its way. */
  validating: boolean;
  /** Fields left at least once: only those (or all, after a Save or Check) show their message. */
  touched: ReadonlySet<SettingName>;
  /** Save or Check connection was pressed while a field blocked it: every message shows. */
  attempted: boolean;
  /** The form holds changes kept from an earlier visit, not saved yet. */
  restored: boolean;
  check: CheckState;
  save: SaveState;
}

export type SettingsAction =
  /** The saved settings arrived; `restore`: the unsaved form from an earlier visit, shown instead. */
  | { type: 'loaded'; view: SettingsView; restore?: SettingsForm }
  | { type: 'load-failed'; error: AppError }
  /** The person changed the form: any check or save result is about the old one. */
  | { type: 'edited'; form: SettingsForm }
  | { type: 'validating' }
  /** The main process's answer for the latest form; null: it did not answer. */
  | {
      type: 'validated';
      answer: FormCheck | null;
    }
  | { type: 'left'; name: SettingName }
  | { type: 'attempted' }
  | { type: 'checking' }
  | { type: 'checked'; check: Extract<CheckState, { status: 'done' | 'failed' }> }
  | { type: 'confirm-save'; reason: 'unchecked' | 'failed' }
  | { type: 'saving' }
  | { type: 'save-failed'; error: AppError }
  | { type: 'saved'; view: SettingsView; signedOut: boolean }
  | { type: 'checked-after-save'; check: Exclude<AfterSaveCheck, { status: 'checking' }> }
  | { type: 'discarded' };

export const initialSettingsState: SettingsState = {
  loaded: null,
  loadError: null,
  form: { provider: 'demo', values: {} },
  errors: {},
  registration: { callbackUrls: [], logoutUrls: [] },
  demoAddresses: [],
  saveEndsSession: true,
  networkProblem: undefined,
  validating: false,
  touched: new Set(),
  attempted: false,
  restored: false,
  check: { status: 'idle' },
  save: { status: 'idle' },
};

/** The form as the settings in `view` fill it. */
function shown(state: SettingsState, view: SettingsView): SettingsState {
  return {
    ...state,
    loaded: view,
    form: view.form,
    errors: view.errors,
    registration: view.registration,
    demoAddresses: view.demoAddresses ?? [],
    saveEndsSession: view.saveEndsSession ?? true,
    networkProblem: view.networkProblem,
  };
}

/** No message shown yet, nothing kept from before. */
const fresh = { restored: false, touched: new Set<SettingName>(), attempted: false };

export function settingsReducer(state: SettingsState, action: SettingsAction): SettingsState {
  switch (action.type) {
    case 'loaded':
      return action.restore
        ? { ...shown(state, action.view), form: action.restore, restored: true }
        : shown(state, action.view);
    case 'load-failed':
      return { ...state, loadError: action.error };
    case 'edited':
      return { ...state, form: action.form, check: { status: 'idle' }, save: { status: 'idle' } };
    case 'validating':
      return { ...state, validating: true };
    case 'validated':
      return action.answer
        ? {
            ...state,
            validating: false,
            errors: action.answer.errors,
            registration: action.answer.registration,
            demoAddresses: action.answer.demoAddresses ?? [],
            saveEndsSession: action.answer.saveEndsSession ?? true,
            networkProblem: action.answer.networkProblem,
          }
        : { ...state, validating: false };
    case 'left':
      return state.touched.has(action.name)
        ? state
        : { ...state, touched: new Set(state.touched).add(action.name) };
    case 'attempted':
      return { ...state, attempted: true };
    case 'checking':
      // "Save anyway?" goes away: the person chose to check first.
      return {
        ...state,
        check: { status: 'checking' },
        save: state.save.status === 'confirm' ? { status: 'idle' } : state.save,
      };
    case 'checked':
      return { ...state, check: action.check };
    case 'confirm-save':
      return { ...state, save: { status: 'confirm', reason: action.reason } };
    case 'saving':
      return { ...state, save: { status: 'saving' } };
    case 'save-failed':
      return { ...state, save: { status: 'failed', error: action.error } };
    case 'saved':
      return {
        ...shown(state, action.view),
        ...fresh,
        save: {
          status: 'saved',
          provider: action.view.active,
          signedOut: action.signedOut,
          check: { status: 'checking' },
        },
      };
    case 'checked-after-save':
      return state.save.status === 'saved'
        ? { ...state, save: { ...state.save, check: action.check } }
        : state;
    case 'discarded':
      return state.loaded ? { ...shown(state, state.loaded), ...fresh } : state;
  }
}

/** The same settings, ignoring spaces around values. */
export function sameForm(a: SettingsForm, b: SettingsForm): boolean {
  if (a.provider !== b.provider) return false;
  return SETTING_NAMES.every(
    (name) => (a.values[name] ?? '').trim() === (b.values[name] ?? '').trim(),
  );
}

/**
 * "All 7 checks passed in 40 ms." / "2 of 7 checks failed in 1.2 s." / "Discovery failed: 5 checks
 * skipped." A skipped check is not counted as failed; a duration is given only when there is one.
 */
export function checkSummary(checks: ConnectionCheckLine[], ms: number): string {
  const took = ms <= 0 ? '' : ms < 1000 ? ` in ${ms} ms` : ` in ${(ms / 1000).toFixed(1)} s`;
  const failed = checks.filter((line) => !line.passed && !line.skipped);
  const skipped = checks.filter((line) => line.skipped).length;
  if (failed.length === 0 && skipped === 0) return `All ${checks.length} checks passed${took}.`;
  if (skipped === 0) return `${failed.length} of ${checks.length} checks failed${took}.`;
  const more = failed.length > 1 ? `; ${failed.length - 1} more failed` : '';
  return `${failed[0]?.name ?? 'A check'} failed: ${skipped} check${skipped === 1 ? '' : 's'} skipped${more}${took}.`;
}
