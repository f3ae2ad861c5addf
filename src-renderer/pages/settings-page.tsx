import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import {
  SETTING_LABELS,
  SETTING_NAMES,
  type AppError,
  type ConnectionCheckLine,
  type DemoAddressField,
  type FieldErrors,
  type ProviderInfo,
  type ProviderKind,
  type Registration,
  type SettingName,
  type SettingSource,
  type SettingsForm,
  type SettingsView,
} from '../../src-preload/contract.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { PageLoader } from '../components/page-loader.tsx';
import { useFocusAfterRender } from '../hooks/use-focus-rule.ts';
import { useSession } from '../hooks/use-session.tsx';

/** The tenant's text fields, in the order of Auth0's dashboard; DPoP is the checkbox below them. */
const TEXT_FIELDS: ReadonlyArray<{ name: SettingName; placeholder: string; hint?: string }> = [
  {
    name: 'AUTH0_DOMAIN',
    placeholder: 'dev-x.us.auth0.com',
    hint: 'Your tenant’s domain, or the issuer URL of another OpenID provider.',
  },
  {
    name: 'AUTH0_CLIENT_ID',
    placeholder: 'The Native application’s Client ID',
    hint: 'A Native application: there is no client secret.',
  },
  {
    name: 'AUTH0_AUDIENCE',
    placeholder: 'https://hello-world.example.com',
    hint: 'The Identifier of your API in Auth0.',
  },
  {
    name: 'API_SERVER_URL',
    placeholder: 'http://127.0.0.1:6060',
    hint: 'Where the Hello World API runs.',
  },
  {
    name: 'AUTH0_CALLBACK_PORTS',
    placeholder: '53682, 53683',
    hint: 'Loopback ports to sign in on, tried in order, like 53682, 53683. Auth0 matches ports exactly.',
  },
];

const SOURCE_NOTES: Partial<Record<SettingSource, (name: SettingName) => string>> = {
  environment: (name) => `Set by the environment (${name}); read-only here.`,
  managed: (name) => `Set by your organisation (app-config.json, ${name}); read-only here.`,
};

type CheckState =
  | { status: 'idle' }
  | { status: 'checking' }
  | { status: 'done'; checks: ConnectionCheckLine[]; ms: number }
  | { status: 'failed'; error: AppError };
/** The Check connection the app runs by itself right after a Save (issue 22, H1). */
type AfterSaveCheck =
  | { status: 'checking' }
  | { status: 'passed' }
  /** The lines that failed (not the skipped ones), and the summary Check connection gives. */
  | { status: 'failed'; lines: ConnectionCheckLine[]; summary: string }
  | { status: 'error'; error: AppError };
type SaveState =
  | { status: 'idle' }
  | { status: 'saving' }
  /** Save pressed before a Check connection passed for these settings: "Save anyway?" (M7). */
  | { status: 'confirm'; reason: 'unchecked' | 'failed' }
  | { status: 'saved'; provider: ProviderInfo; signedOut: boolean; check: AfterSaveCheck }
  | { status: 'failed'; error: AppError };

/**
 * What was typed and not saved survives leaving the page (until saved, discarded or the window
 * reloads): leaving Settings for another page must not drop it silently.
 */
let unsaved: SettingsForm | null = null;

const SAVE_ANYWAY_ID = 'settings-save-anyway';
const CHECK_SUMMARY_ID = 'check-results-summary';

/** Settings: which identity provider the app signs in with, checked and switched without a restart. */
export function SettingsPage() {
  const { bridge, session } = useSession();
  const [loaded, setLoaded] = useState<SettingsView | null>(null);
  const [loadError, setLoadError] = useState<AppError | null>(null);
  const [form, setForm] = useState<SettingsForm>({ provider: 'demo', values: {} });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [registration, setRegistration] = useState<Registration>({
    callbackUrls: [],
    logoutUrls: [],
  });
  const [demoAddresses, setDemoAddresses] = useState<DemoAddressField[]>([]);
  const [validating, setValidating] = useState(false);
  /** Fields left at least once: only those (or all, after a Save or Check) show their message. */
  const [touched, setTouched] = useState<ReadonlySet<SettingName>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [restored, setRestored] = useState(false);
  const [check, setCheck] = useState<CheckState>({ status: 'idle' });
  const [save, setSave] = useState<SaveState>({ status: 'idle' });
  const latest = useRef(0);
  /** The answer to the latest validation, so Enter right after a paste waits for it. */
  const validation = useRef<Promise<FieldErrors>>(Promise.resolve({}));
  const focusAfterRender = useFocusAfterRender();

  const show = useCallback((view: SettingsView) => {
    setLoaded(view);
    setForm(view.form);
    setErrors(view.errors);
    setRegistration(view.registration);
    setDemoAddresses(view.demoAddresses ?? []);
  }, []);

  /** Every change is checked by the main process with the same parser as the environment. */
  const validate = useCallback(
    (next: SettingsForm) => {
      const request = ++latest.current;
      setValidating(true);
      validation.current = bridge.validateSettings(next).then(
        (answer) => {
          if (request !== latest.current) return validation.current;
          setValidating(false);
          if (!answer.ok) return {};
          setErrors(answer.errors);
          setRegistration(answer.registration);
          setDemoAddresses(answer.demoAddresses ?? []);
          return answer.errors;
        },
        () => {
          if (request === latest.current) setValidating(false);
          return {};
        },
      );
    },
    [bridge],
  );

  useEffect(() => {
    let active = true;
    void bridge.getSettings().then(
      (answer) => {
        if (!active) return;
        if (!answer.ok) return setLoadError(answer.error);
        show(answer.settings);
        if (unsaved && !sameForm(unsaved, answer.settings.form)) {
          setForm(unsaved);
          setRestored(true);
          validate(unsaved);
        } else {
          unsaved = null;
        }
      },
      () =>
        active &&
        setLoadError({
          code: 'internal',
          message: 'The app is not responding. Try again in a moment.',
        }),
    );
    return () => {
      active = false;
    };
  }, [bridge, show, validate]);

  const change = useCallback(
    (next: SettingsForm) => {
      setForm(next);
      unsaved = next;
      setCheck({ status: 'idle' });
      setSave({ status: 'idle' });
      validate(next);
    },
    [validate],
  );

  if (loadError)
    return (
      <SettingsFrame>
        <ErrorAlert title="Settings could not be loaded" message={loadError.message} />
      </SettingsFrame>
    );
  if (!loaded)
    return (
      <SettingsFrame>
        <PageLoader label="Loading settings…" />
      </SettingsFrame>
    );

  const sources = loaded.sources;
  const providerLocked = isLocked(sources.provider);
  /** The editable fields that keep Check connection and Save from acting, in form order. */
  const blockersOf = (found: FieldErrors): SettingName[] =>
    form.provider === 'tenant'
      ? SETTING_NAMES.filter((name) => found[name] && !isLocked(sources[name]))
      : [];
  const blockers = blockersOf(errors);
  const shownError = (name: SettingName): string | undefined =>
    !isLocked(sources[name]) && (attempted || touched.has(name)) ? errors[name] : undefined;
  const setValue = (name: SettingName, value: string) =>
    change({ ...form, values: { ...form.values, [name]: value } });
  const chooseProvider = (provider: ProviderKind) => change({ ...form, provider });
  const busy = save.status === 'saving' || check.status === 'checking';
  const checkPassed = check.status === 'done' && check.checks.every((line) => line.passed);

  /** Waits for the latest validation; false (and every message shown) while a field blocks. */
  async function readyToAct(): Promise<boolean> {
    const found = validating ? await validation.current : errors;
    const blocking = blockersOf(found);
    if (blocking.length === 0) return true;
    setAttempted(true);
    focusAfterRender(`#setting-${blocking[0]}`);
    return false;
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (busy || !loaded?.canSave || !(await readyToAct())) return;
    const switching = !sameForm(form, loaded.form) || loaded.active.kind !== form.provider;
    if (form.provider === 'tenant' && switching && !checkPassed && save.status !== 'confirm') {
      setSave({ status: 'confirm', reason: check.status === 'idle' ? 'unchecked' : 'failed' });
      focusAfterRender(`#${SAVE_ANYWAY_ID}`);
      return;
    }
    await saveNow();
  }

  async function saveNow() {
    const wasSignedIn = session.status === 'signed-in';
    setSave({ status: 'saving' });
    const answer = await bridge.saveSettings(form);
    if (!answer.ok) return setSave({ status: 'failed', error: answer.error });
    unsaved = null;
    setRestored(false);
    setTouched(new Set());
    setAttempted(false);
    show(answer.settings);
    const saved = {
      status: 'saved' as const,
      provider: answer.settings.active,
      signedOut: wasSignedIn && answer.session.status !== 'signed-in',
    };
    setSave({ ...saved, check: { status: 'checking' } });
    // Saved settings that do not work should say so now, not at the next Log In.
    const checked = await bridge.checkConnection(answer.settings.form);
    const failed = checked.ok ? checked.checks.filter((line) => !line.passed && !line.skipped) : [];
    setSave((current) =>
      current.status !== 'saved'
        ? current
        : {
            ...saved,
            check: !checked.ok
              ? { status: 'error', error: checked.error }
              : failed.length > 0
                ? { status: 'failed', lines: failed, summary: checkSummary(checked.checks, 0) }
                : { status: 'passed' },
          },
    );
  }

  async function onCheck() {
    if (busy || !(await readyToAct())) return;
    // From "Save anyway?", which goes away: to the Check connection button, which stays.
    if (save.status === 'confirm') focusAfterRender('#settings-check');
    setCheck({ status: 'checking' });
    if (save.status === 'confirm') setSave({ status: 'idle' });
    const answer = await bridge.checkConnection(form);
    setCheck(
      answer.ok
        ? { status: 'done', checks: answer.checks, ms: answer.ms }
        : { status: 'failed', error: answer.error },
    );
    // The button stayed where it was; the news is the results: take focus there.
    focusAfterRender(answer.ok ? `#${CHECK_SUMMARY_ID}` : '#check-failed');
  }

  function discard() {
    focusAfterRender('#settings-provider-legend');
    unsaved = null;
    setRestored(false);
    setTouched(new Set());
    setAttempted(false);
    show(loaded!);
  }

  const reason =
    blockers.length > 0 ? `needs a valid ${listOf(blockers.map((n) => SETTING_LABELS[n]))}.` : '';
  return (
    <SettingsFrame active={loaded.active}>
      {loaded.problem ? (
        <ErrorAlert title="The app is not configured" message={loaded.problem.message} />
      ) : null}
      {restored ? (
        <div className="callout callout--info" role="status">
          <div className="callout__body">
            <p className="callout__title">Your changes are not saved yet</p>
            <p className="callout__message">
              They are kept from before you left this page. Save them, or discard them.
            </p>
            <button
              type="button"
              className="button button--secondary-light callout__action"
              onClick={discard}
            >
              Discard changes
            </button>
          </div>
        </div>
      ) : null}
      <form className="settings card" onSubmit={(event) => void onSubmit(event)} noValidate>
        <fieldset className="settings__group" disabled={providerLocked}>
          <legend className="settings__legend" id="settings-provider-legend">
            Identity provider
          </legend>
          {providerLocked ? (
            <p className="field__source">{sourceNote(sources.provider, 'AUTH0_DOMAIN')}</p>
          ) : null}
          <div className="settings__choices">
            {/* Switched off by an organisation's app-config.json (ALLOW_DEMO_PROVIDER=false). */}
            {loaded.demoAllowed === false ? null : (
              <Choice
                value="demo"
                current={form.provider}
                onChoose={chooseProvider}
                label="Built-in demo provider"
              >
                A local identity provider and Hello World API on this computer, with demo accounts
                (alice@example.com / wonderland).
              </Choice>
            )}
            <Choice
              value="tenant"
              current={form.provider}
              onChoose={chooseProvider}
              label="Your Auth0 tenant"
            >
              Your own tenant, or any OpenID provider, and your Hello World API.
            </Choice>
          </div>
        </fieldset>

        {form.provider === 'tenant' ? (
          <>
            <fieldset className="settings__group">
              <legend className="settings__legend">Your Auth0 tenant</legend>
              {TEXT_FIELDS.map((field) => (
                <TextField
                  key={field.name}
                  name={field.name}
                  placeholder={field.placeholder}
                  hint={field.hint}
                  value={form.values[field.name] ?? ''}
                  error={shownError(field.name)}
                  source={sources[field.name]}
                  onChange={(value) => setValue(field.name, value)}
                  onLeave={() => setTouched((seen) => new Set(seen).add(field.name))}
                  advice={
                    demoAddresses[0] === field.name && !providerLocked ? (
                      <DemoAddressAdvice
                        onChoose={() => {
                          focusAfterRender('#provider-demo');
                          chooseProvider('demo');
                        }}
                      />
                    ) : null
                  }
                />
              ))}
              <DpopField
                checked={(form.values.AUTH0_DPOP ?? '').toLowerCase() === 'true'}
                error={shownError('AUTH0_DPOP')}
                source={sources.AUTH0_DPOP}
                onChange={(on) => setValue('AUTH0_DPOP', on ? 'true' : 'false')}
              />
              <ResourceParameterField
                value={form.values.AUTH0_RESOURCE_PARAMETER ?? ''}
                error={errors.AUTH0_RESOURCE_PARAMETER}
                source={sources.AUTH0_RESOURCE_PARAMETER}
                onChange={(value) => setValue('AUTH0_RESOURCE_PARAMETER', value)}
              />
            </fieldset>
            <RegistrationUrls registration={registration} />
            {loaded.canSave ? (
              <section className="settings__group" aria-labelledby="check-title">
                <h2 className="settings__legend" id="check-title">
                  Check connection
                </h2>
                <p className="field__hint">
                  Asks the provider and the API what it can without signing in: nothing is saved.
                </p>
                <div className="settings__buttons">
                  <button
                    type="button"
                    id="settings-check"
                    className="button button--secondary-light"
                    onClick={() => void onCheck()}
                    aria-disabled={busy || blockers.length > 0 ? true : undefined}
                    aria-describedby={reason ? 'check-blocked' : undefined}
                  >
                    {check.status === 'checking' ? 'Checking…' : 'Check connection'}
                  </button>
                  {reason ? (
                    <p className="settings__status" id="check-blocked">
                      Check connection {reason}
                    </p>
                  ) : null}
                </div>
                <CheckResults state={check} />
              </section>
            ) : null}
          </>
        ) : null}

        {loaded.canSave ? (
          <SaveActions
            save={save}
            busy={busy}
            blockedReason={reason ? `Save ${reason}` : ''}
            onSaveAnyway={() => {
              focusAfterRender('#settings-save');
              void saveNow();
            }}
            onCheck={() => void onCheck()}
          />
        ) : (
          <p className="settings__actions settings__status">
            Nothing can be saved here until that is fixed.
          </p>
        )}
      </form>
    </SettingsFrame>
  );
}

/** Save, why it cannot act yet, "Save anyway?", and what happened after: saved, checked, failed. */
function SaveActions({
  save,
  busy,
  blockedReason,
  onSaveAnyway,
  onCheck,
}: {
  save: SaveState;
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
          {blockedReason || saveStatus(save)}
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

function saveStatus(save: SaveState): string {
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
      return 'Saving signs you out and switches the app to these settings.';
  }
}

/** "the built-in demo provider", a tenant's host: what a sentence about the provider says. */
function providerName(provider: ProviderInfo): string {
  return provider.kind === 'demo' ? 'the built-in demo provider' : provider.label;
}

/** Next to a field holding the running demo provider's own address (issue 22, H1). */
function DemoAddressAdvice({ onChoose }: { onChoose(): void }) {
  return (
    <>
      These are the built-in demo provider’s addresses:{' '}
      <button type="button" className="link-button" onClick={onChoose}>
        choose Built-in demo provider
      </button>
    </>
  );
}

function sameForm(a: SettingsForm, b: SettingsForm): boolean {
  if (a.provider !== b.provider) return false;
  return SETTING_NAMES.every(
    (name) => (a.values[name] ?? '').trim() === (b.values[name] ?? '').trim(),
  );
}

/** "Domain, Client ID and Audience". */
function listOf(items: string[]): string {
  return items.length < 2
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function SettingsFrame({ active, children }: { active?: ProviderInfo; children: ReactNode }) {
  return (
    <div className="content-layout">
      <h1 className="content__title">Settings</h1>
      <div className="content__body">
        <p className="content__description">
          Which identity provider the app signs in with.
          {active ? (
            <>
              {' '}
              In use now: <strong>{active.label}</strong>.
            </>
          ) : null}
        </p>
        {children}
      </div>
    </div>
  );
}

function isLocked(source: SettingSource | undefined): boolean {
  return source === 'environment' || source === 'managed';
}

function sourceNote(source: SettingSource | undefined, name: SettingName): string | undefined {
  return source ? SOURCE_NOTES[source]?.(name) : undefined;
}

function Choice({
  value,
  current,
  onChoose,
  label,
  children,
}: {
  value: ProviderKind;
  current: ProviderKind;
  onChoose: (value: ProviderKind) => void;
  label: string;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <label className={`settings__choice${current === value ? ' settings__choice--selected' : ''}`}>
      <input
        type="radio"
        id={`provider-${value}`}
        name="provider"
        value={value}
        checked={current === value}
        onChange={() => onChoose(value)}
        aria-describedby={id}
      />
      <span className="settings__choice-text">
        <span className="settings__choice-label">{label}</span>
        <span className="field__hint" id={id}>
          {children}
        </span>
      </span>
    </label>
  );
}

interface FieldProps {
  name: SettingName;
  placeholder: string;
  hint: string | undefined;
  value: string;
  error: string | undefined;
  source: SettingSource | undefined;
  onChange(value: string): void;
  /**
   * The field was left: from now on its message shows (not before: "required" on an untouched field
   * is noise).
   */
  onLeave(): void;
  /** Not an error: something to know about this value (e.g. it is the demo provider's address). */
  advice?: ReactNode;
}

function TextField({
  name,
  placeholder,
  hint,
  value,
  error,
  source,
  onChange,
  onLeave,
  advice,
}: FieldProps) {
  const id = `setting-${name}`;
  const locked = isLocked(source);
  const note = sourceNote(source, name);
  const described = [
    hint ? `${id}-hint` : '',
    note ? `${id}-source` : '',
    advice ? `${id}-advice` : '',
    error ? `${id}-error` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {SETTING_LABELS[name]}
      </label>
      <input
        id={id}
        className="field__input"
        type="text"
        inputMode={
          name === 'AUTH0_CALLBACK_PORTS' ? 'numeric' : name === 'API_SERVER_URL' ? 'url' : 'text'
        }
        spellCheck={false}
        autoComplete="off"
        placeholder={placeholder}
        value={value}
        readOnly={locked}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
        onChange={(event) => onChange(event.target.value)}
        onBlur={locked ? undefined : onLeave}
      />
      {hint ? (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {note ? (
        <p className="field__source" id={`${id}-source`}>
          {note}
        </p>
      ) : null}
      {advice ? (
        <p className="field__advice" id={`${id}-advice`}>
          {advice}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function DpopField({
  checked,
  error,
  source,
  onChange,
}: {
  checked: boolean;
  error: string | undefined;
  source: SettingSource | undefined;
  onChange(on: boolean): void;
}) {
  const id = 'setting-AUTH0_DPOP';
  const note = sourceNote(source, 'AUTH0_DPOP');
  const described = [`${id}-hint`, note ? `${id}-source` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field field--checkbox">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={isLocked(source)}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
        onChange={(event) => onChange(event.target.checked)}
      />
      <div>
        <label className="field__label" htmlFor={id}>
          {SETTING_LABELS.AUTH0_DPOP}
        </label>
        <p className="field__hint" id={`${id}-hint`}>
          Bind tokens to this computer’s key (RFC 9449). Only if your tenant and API accept DPoP.
        </p>
        {note ? (
          <p className="field__source" id={`${id}-source`}>
            {note}
          </p>
        ) : null}
        {error ? (
          <p className="field__error" id={`${id}-error`}>
            {error}
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** How the Audience is sent (AUTH0_RESOURCE_PARAMETER); empty: the parser's default for the Domain. */
function ResourceParameterField({
  value,
  error,
  source,
  onChange,
}: {
  value: string;
  error: string | undefined;
  source: SettingSource | undefined;
  onChange(value: string): void;
}) {
  const id = 'setting-AUTH0_RESOURCE_PARAMETER';
  const note = sourceNote(source, 'AUTH0_RESOURCE_PARAMETER');
  const described = [`${id}-hint`, note ? `${id}-source` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {SETTING_LABELS.AUTH0_RESOURCE_PARAMETER}
      </label>
      <select
        id={id}
        className="field__input"
        value={value.trim().toLowerCase()}
        disabled={isLocked(source)}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
        onChange={(event) => onChange(event.target.value)}
      >
        <option value="">Default: audience on an Auth0 domain, both elsewhere</option>
        <option value="audience">audience (Auth0)</option>
        <option value="resource">resource (RFC 8707)</option>
        <option value="both">both</option>
      </select>
      <p className="field__hint" id={`${id}-hint`}>
        How the Audience is sent when asking for tokens. Providers that follow RFC 8707 read
        resource.
      </p>
      {note ? (
        <p className="field__source" id={`${id}-source`}>
          {note}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function RegistrationUrls({ registration }: { registration: Registration }) {
  return (
    <section className="settings__group" aria-labelledby="register-title">
      <h2 className="settings__legend" id="register-title">
        Register in your Auth0 application
      </h2>
      {registration.warning ? (
        <div className="callout callout--progress">
          <div className="callout__body">
            <p className="callout__title">Set callback ports</p>
            <p className="callout__message">{registration.warning}</p>
          </div>
        </div>
      ) : null}
      {registration.callbackUrls.length === 0 && !registration.warning ? (
        <p className="field__hint">
          The URLs appear here once Domain and Callback ports are valid.
        </p>
      ) : null}
      <UrlList
        title="Allowed Callback URLs"
        urls={
          registration.appLinkUrl
            ? [...registration.callbackUrls, registration.appLinkUrl]
            : registration.callbackUrls
        }
      />
      <UrlList title="Allowed Logout URLs" urls={registration.logoutUrls} />
    </section>
  );
}

function UrlList({ title, urls }: { title: string; urls: string[] }) {
  const titleId = useId();
  if (urls.length === 0) return null;
  return (
    <div className="url-list">
      <div className="url-list__header">
        <h3 className="field__label" id={titleId}>
          {title}
        </h3>
        {urls.length > 1 ? (
          // Auth0's fields take a comma-separated list: one paste for the whole list.
          <CopyButton text={urls.join(', ')} label="Copy all" what={title} />
        ) : null}
      </div>
      <ul className="url-list__items" aria-labelledby={titleId}>
        {urls.map((url) => (
          <li key={url} className="url-list__item">
            <code className="url-list__url">{breakable(url)}</code>
            <CopyButton text={url} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A URL that wraps after its slashes, colons and dots in a narrow window, not inside a word. */
function breakable(url: string): ReactNode[] {
  return url
    .split(/(?<=[/:.])(?=[^/])/)
    .flatMap((part, index) => (index === 0 ? [part] : [<wbr key={index} />, part]));
}

function CheckResults({ state }: { state: CheckState }) {
  if (state.status === 'idle' || state.status === 'checking') return null;
  if (state.status === 'failed')
    return (
      <div id="check-failed" tabIndex={-1}>
        <ErrorAlert title="Could not check" message={state.error.message} />
      </div>
    );
  return (
    <div className="check-results">
      <p className="check-results__summary" role="status" id={CHECK_SUMMARY_ID} tabIndex={-1}>
        {checkSummary(state.checks, state.ms)}
      </p>
      <ul className="check-results__list" aria-label="Connection checks">
        {state.checks.map((line) => {
          const outcome = line.passed ? 'passed' : line.skipped ? 'skipped' : 'failed';
          return (
            <li key={line.name} className={`check-results__line check-results__line--${outcome}`}>
              <span
                className={`badge ${line.passed ? 'badge--ok' : line.skipped ? 'badge--skipped' : 'badge--failed'}`}
              >
                {line.passed ? 'Passed' : line.skipped ? 'Skipped' : 'Failed'}
              </span>
              <span className="check-results__name">{line.name}</span>
              <span className="check-results__detail">
                {line.detail}
                {line.code ? <small className="check-results__code">{line.code}</small> : null}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
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
