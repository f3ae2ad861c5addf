import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import {
  SETTING_LABELS,
  type AppError,
  type ConnectionCheckLine,
  type FieldErrors,
  type ProviderKind,
  type Registration,
  type SettingName,
  type SettingSource,
  type SettingsForm,
  type SettingsView,
} from '../../src-preload/contract.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { PageLoader } from '../components/page-loader.tsx';
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
    hint: 'Loopback ports to sign in on, tried in order. Auth0 matches ports exactly.',
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
type SaveState =
  | { status: 'idle' }
  | { status: 'saving' }
  | { status: 'saved'; label: string }
  | { status: 'failed'; error: AppError };

/** Settings: which identity provider the app signs in with, checked and switched without a restart. */
export function SettingsPage() {
  const { bridge } = useSession();
  const [loaded, setLoaded] = useState<SettingsView | null>(null);
  const [loadError, setLoadError] = useState<AppError | null>(null);
  const [form, setForm] = useState<SettingsForm>({ provider: 'demo', values: {} });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [registration, setRegistration] = useState<Registration>({
    callbackUrls: [],
    logoutUrls: [],
  });
  const [validating, setValidating] = useState(false);
  const [check, setCheck] = useState<CheckState>({ status: 'idle' });
  const [save, setSave] = useState<SaveState>({ status: 'idle' });
  const latest = useRef(0);

  const show = useCallback((view: SettingsView) => {
    setLoaded(view);
    setForm(view.form);
    setErrors(view.errors);
    setRegistration(view.registration);
  }, []);

  useEffect(() => {
    let active = true;
    void bridge.getSettings().then(
      (answer) => {
        if (!active) return;
        if (answer.ok) show(answer.settings);
        else setLoadError(answer.error);
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
  }, [bridge, show]);

  /** Every change is checked by the main process with the same parser as the environment. */
  const change = useCallback(
    (next: SettingsForm) => {
      setForm(next);
      setCheck({ status: 'idle' });
      setSave({ status: 'idle' });
      const request = ++latest.current;
      setValidating(true);
      void bridge.validateSettings(next).then((answer) => {
        if (request !== latest.current) return;
        setValidating(false);
        if (answer.ok) {
          setErrors(answer.errors);
          setRegistration(answer.registration);
        }
      });
    },
    [bridge],
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
  const invalid = form.provider === 'tenant' && Object.keys(errors).length > 0;
  const setValue = (name: SettingName, value: string) =>
    change({ ...form, values: { ...form.values, [name]: value } });
  const chooseProvider = (provider: ProviderKind) => change({ ...form, provider });

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (invalid || validating) return;
    setSave({ status: 'saving' });
    const answer = await bridge.saveSettings(form);
    if (answer.ok) {
      show(answer.settings);
      setSave({ status: 'saved', label: answer.settings.active.label });
    } else {
      setSave({ status: 'failed', error: answer.error });
    }
  }

  async function onCheck() {
    setCheck({ status: 'checking' });
    const answer = await bridge.checkConnection(form);
    setCheck(
      answer.ok
        ? { status: 'done', checks: answer.checks, ms: answer.ms }
        : { status: 'failed', error: answer.error },
    );
  }

  return (
    <SettingsFrame active={loaded.active.label}>
      {loaded.problem ? (
        <ErrorAlert title="The app is not configured" message={loaded.problem.message} />
      ) : null}
      <form className="settings card" onSubmit={(event) => void onSubmit(event)} noValidate>
        <fieldset className="settings__group" disabled={providerLocked}>
          <legend className="settings__legend">Identity provider</legend>
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
                  error={errors[field.name]}
                  source={sources[field.name]}
                  onChange={(value) => setValue(field.name, value)}
                />
              ))}
              <DpopField
                checked={(form.values.AUTH0_DPOP ?? '').toLowerCase() === 'true'}
                error={errors.AUTH0_DPOP}
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
            <section className="settings__group" aria-labelledby="check-title">
              <h2 className="settings__legend" id="check-title">
                Check connection
              </h2>
              <p className="field__hint">
                Asks the provider and the API what it can without signing in: nothing is saved.
              </p>
              <div>
                <button
                  type="button"
                  className="button button--secondary-light"
                  onClick={() => void onCheck()}
                  disabled={invalid || check.status === 'checking'}
                >
                  {check.status === 'checking' ? 'Checking…' : 'Check connection'}
                </button>
              </div>
              <CheckResults state={check} />
            </section>
          </>
        ) : null}

        <div className="settings__actions">
          <button
            type="submit"
            className="button button--primary"
            disabled={invalid || validating || save.status === 'saving'}
          >
            {save.status === 'saving' ? 'Saving…' : 'Save'}
          </button>
          <p className="settings__status" role="status">
            {invalid
              ? 'Fix the marked fields to save.'
              : save.status === 'saved'
                ? `Saved. The app now uses ${save.label}.`
                : 'Saving signs you out and switches the app to these settings.'}
          </p>
        </div>
        {save.status === 'failed' ? (
          <ErrorAlert title="Not saved" message={save.error.message} />
        ) : null}
      </form>
    </SettingsFrame>
  );
}

function SettingsFrame({ active, children }: { active?: string; children: ReactNode }) {
  return (
    <div className="content-layout">
      <h1 className="content__title">Settings</h1>
      <div className="content__body">
        <p className="content__description">
          Which identity provider the app signs in with.
          {active ? (
            <>
              {' '}
              In use now: <strong>{active}</strong>.
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
}

function TextField({ name, placeholder, hint, value, error, source, onChange }: FieldProps) {
  const id = `setting-${name}`;
  const locked = isLocked(source);
  const note = sourceNote(source, name);
  const described = [
    hint ? `${id}-hint` : '',
    note ? `${id}-source` : '',
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
      <h3 className="field__label" id={titleId}>
        {title}
      </h3>
      <ul className="url-list__items" aria-labelledby={titleId}>
        {urls.map((url) => (
          <li key={url} className="url-list__item">
            <code className="url-list__url">{url}</code>
            <CopyButton text={url} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  async function copy() {
    setCopied((await copyText(text)) ? 'copied' : 'failed');
    setTimeout(() => setCopied('idle'), 2000);
  }
  // The name says what is copied ("Copy http://…"); the visible part is its first word.
  return (
    <button
      type="button"
      className="button button--secondary-light button--small"
      onClick={() => void copy()}
    >
      <span aria-live="polite">
        {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Select and copy' : 'Copy'}
      </span>
      <span className="visually-hidden"> {text}</span>
    </button>
  );
}

/**
 * The async Clipboard API where the page may use it (the preview on 127.0.0.1); else the selection
 * and `copy` command, which needs no permission (the Electron app denies every permission request).
 */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'visually-hidden';
    document.body.append(area);
    area.select();
    try {
      return document.execCommand('copy');
    } finally {
      area.remove();
    }
  }
}

function CheckResults({ state }: { state: CheckState }) {
  if (state.status === 'idle' || state.status === 'checking') return null;
  if (state.status === 'failed')
    return <ErrorAlert title="Could not check" message={state.error.message} />;
  return (
    <div className="check-results">
      <p className="check-results__summary" role="status">
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
