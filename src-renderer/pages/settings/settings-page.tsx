import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { FormEvent, ReactNode } from 'react';
import {
  SETTING_LABELS,
  SETTING_NAMES,
  type FieldErrors,
  type ProviderInfo,
  type ProviderKind,
  type SettingName,
  type SettingsForm,
} from '../../../src-preload/contract.ts';
import { Callout } from '../../components/callout.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageLoader } from '../../components/page-loader.tsx';
import { useFocusAfterRender } from '../../hooks/use-focus-rule.ts';
import { useSession } from '../../hooks/use-session.tsx';
import { CHECK_SUMMARY_ID, CheckResults } from './check-results.tsx';
import { isLocked, sourceNote } from './field.tsx';
import { checkSummary, initialSettingsState, sameForm, settingsReducer } from './form-state.ts';
import { NetworkSection } from './network-section.tsx';
import { Choice, DemoAddressAdvice } from './provider-choice.tsx';
import { RegistrationUrls } from './registration-urls.tsx';
import { SAVE_ANYWAY_ID, SaveActions } from './save-actions.tsx';
import { TenantFields } from './tenant-fields.tsx';
import { UpdatesSection } from './updates-section.tsx';

/**
 * What was typed and not saved survives leaving the page (until saved, discarded or the window
 * reloads): leaving Settings for another page must not drop it silently.
 */
let unsaved: SettingsForm | null = null;

/** Settings: which identity provider the app signs in with, checked and switched without a restart. */
export function SettingsPage() {
  const { bridge, session } = useSession();
  const [state, dispatch] = useReducer(settingsReducer, initialSettingsState);
  const { loaded, loadError, form, errors, demoAddresses, validating, check, save } = state;
  const latest = useRef(0);
  /** The answer to the latest validation, so Enter right after a paste waits for it. */
  const validation = useRef<Promise<FieldErrors>>(Promise.resolve({}));
  const focusAfterRender = useFocusAfterRender();

  /** Every change is checked by the main process with the same parser as the environment. */
  const validate = useCallback(
    (next: SettingsForm) => {
      const request = ++latest.current;
      dispatch({ type: 'validating' });
      validation.current = bridge.validateSettings(next).then(
        (answer) => {
          if (request !== latest.current) return validation.current;
          dispatch({ type: 'validated', answer: answer.ok ? answer : null });
          return answer.ok ? answer.errors : {};
        },
        () => {
          if (request === latest.current) dispatch({ type: 'validated', answer: null });
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
        if (!answer.ok) return dispatch({ type: 'load-failed', error: answer.error });
        if (unsaved && !sameForm(unsaved, answer.settings.form)) {
          dispatch({ type: 'loaded', view: answer.settings, restore: unsaved });
          validate(unsaved);
        } else {
          unsaved = null;
          dispatch({ type: 'loaded', view: answer.settings });
        }
      },
      () =>
        active &&
        dispatch({
          type: 'load-failed',
          error: { code: 'internal', message: 'The app is not responding. Try again in a moment.' },
        }),
    );
    return () => {
      active = false;
    };
  }, [bridge, validate]);

  const change = useCallback(
    (next: SettingsForm) => {
      unsaved = next;
      dispatch({ type: 'edited', form: next });
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
    SETTING_NAMES.filter(
      (name) =>
        found[name] &&
        !isLocked(sources[name]) &&
        // The demo provider needs no tenant fields; Network applies to either provider.
        (form.provider === 'tenant' || name === 'PROXY'),
    );
  const blockers = blockersOf(errors);
  const shownError = (name: SettingName): string | undefined =>
    !isLocked(sources[name]) && (state.attempted || state.touched.has(name))
      ? errors[name]
      : undefined;
  const chooseProvider = (provider: ProviderKind) => change({ ...form, provider });
  const busy = save.status === 'saving' || check.status === 'checking';
  const checkPassed = check.status === 'done' && check.checks.every((line) => line.passed);

  /** Waits for the latest validation; false (and every message shown) while a field blocks. */
  async function readyToAct(): Promise<boolean> {
    const found = validating ? await validation.current : errors;
    const blocking = blockersOf(found);
    if (blocking.length === 0) return true;
    dispatch({ type: 'attempted' });
    focusAfterRender(`#setting-${blocking[0]}`);
    return false;
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (busy || !loaded?.canSave || !(await readyToAct())) return;
    const switching = !sameForm(form, loaded.form) || loaded.active.kind !== form.provider;
    if (form.provider === 'tenant' && switching && !checkPassed && save.status !== 'confirm') {
      dispatch({ type: 'confirm-save', reason: check.status === 'idle' ? 'unchecked' : 'failed' });
      focusAfterRender(`#${SAVE_ANYWAY_ID}`);
      return;
    }
    await saveNow();
  }

  async function saveNow() {
    const wasSignedIn = session.status === 'signed-in';
    dispatch({ type: 'saving' });
    const answer = await bridge.saveSettings(form);
    if (!answer.ok) return dispatch({ type: 'save-failed', error: answer.error });
    unsaved = null;
    dispatch({
      type: 'saved',
      view: answer.settings,
      signedOut: wasSignedIn && answer.session.status !== 'signed-in',
    });
    // Saved settings that do not work should say so now, not at the next Log In.
    const checked = await bridge.checkConnection(answer.settings.form);
    const failed = checked.ok ? checked.checks.filter((line) => !line.passed && !line.skipped) : [];
    dispatch({
      type: 'checked-after-save',
      check: !checked.ok
        ? { status: 'error', error: checked.error }
        : failed.length > 0
          ? { status: 'failed', lines: failed, summary: checkSummary(checked.checks, 0) }
          : { status: 'passed' },
    });
  }

  async function onCheck() {
    if (busy || !(await readyToAct())) return;
    // From "Save anyway?", which goes away: to the Check connection button, which stays.
    if (save.status === 'confirm') focusAfterRender('#settings-check');
    dispatch({ type: 'checking' });
    const answer = await bridge.checkConnection(form);
    dispatch({
      type: 'checked',
      check: answer.ok
        ? { status: 'done', checks: answer.checks, ms: answer.ms }
        : { status: 'failed', error: answer.error },
    });
    // The button stayed where it was; the news is the results: take focus there.
    focusAfterRender(answer.ok ? `#${CHECK_SUMMARY_ID}` : '#check-failed');
  }

  function discard() {
    focusAfterRender('#settings-provider-legend');
    unsaved = null;
    dispatch({ type: 'discarded' });
  }

  /** Settings → Network, for either provider. */
  const network = (
    <NetworkSection
      value={form.values.PROXY}
      source={sources.PROXY}
      error={shownError('PROXY')}
      problem={state.networkProblem}
      onChange={(value) => change({ ...form, values: { ...form.values, PROXY: value } })}
      onLeave={() => dispatch({ type: 'left', name: 'PROXY' })}
    />
  );
  const reason =
    blockers.length > 0 ? `needs a valid ${listOf(blockers.map((n) => SETTING_LABELS[n]))}.` : '';
  return (
    <SettingsFrame active={loaded.active}>
      {loaded.problem ? (
        <ErrorAlert title="The app is not configured" message={loaded.problem.message} />
      ) : null}
      {state.restored ? (
        <Callout kind="info" role="status" title="Your changes are not saved yet">
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
        </Callout>
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
              <TenantFields
                form={form}
                sources={sources}
                errors={errors}
                shownError={shownError}
                adviceFor={(name) =>
                  demoAddresses[0] === name && !providerLocked ? (
                    <DemoAddressAdvice
                      onChoose={() => {
                        focusAfterRender('#provider-demo');
                        chooseProvider('demo');
                      }}
                    />
                  ) : null
                }
                onChange={(name, value) =>
                  change({ ...form, values: { ...form.values, [name]: value } })
                }
                onLeave={(name) => dispatch({ type: 'left', name })}
              />
            </fieldset>
            <RegistrationUrls registration={state.registration} />
            {/* Before Check connection, which goes through the proxy chosen here. */}
            {network}
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

        {form.provider === 'tenant' ? null : network}

        {loaded.canSave ? (
          <SaveActions
            save={save}
            endsSession={state.saveEndsSession}
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
      <UpdatesSection />
    </SettingsFrame>
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
