/**
 * The Settings form's reducer (src-renderer/pages/settings/form-state.ts): what a person sees after
 * each thing that happens, without a browser. The e2e suites (settings*.spec.ts) see the same rules
 * through the page.
 */
import { describe, expect, it } from 'vitest';
import type { SettingsForm, SettingsView } from '../../src-preload/contract.ts';
import {
  checkSummary,
  initialSettingsState,
  sameForm,
  settingsReducer,
  type SettingsAction,
  type SettingsState,
} from '../../src-renderer/pages/settings/form-state.ts';

const savedForm: SettingsForm = { provider: 'demo', values: {} };
const typed: SettingsForm = { provider: 'tenant', values: { AUTH0_DOMAIN: 'dev-x.us.auth0.com' } };
const view: SettingsView = {
  form: savedForm,
  sources: { provider: 'default' },
  active: { kind: 'demo', label: 'Built-in demo provider' },
  errors: {},
  registration: { callbackUrls: [], logoutUrls: [] },
  canSave: true,
};
const run = (actions: SettingsAction[], from: SettingsState = initialSettingsState) =>
  actions.reduce(settingsReducer, from);
const loaded = run([{ type: 'loaded', view }]);

describe('the Settings form', () => {
  it('shows the saved settings when they arrive', () => {
    expect(loaded).toMatchObject({ loaded: view, form: savedForm, restored: false });
  });

  it('brings back what was typed before leaving the page, and says it is not saved', () => {
    const state = run([{ type: 'loaded', view, restore: typed }]);
    expect(state).toMatchObject({ loaded: view, form: typed, restored: true });
  });

  it('a change makes the last Check connection and Save result stale', () => {
    const state = run(
      [
        { type: 'checked', check: { status: 'done', checks: [], ms: 5 } },
        { type: 'save-failed', error: { code: 'internal', message: 'Not saved.' } },
        { type: 'edited', form: typed },
      ],
      loaded,
    );
    expect(state).toMatchObject({
      form: typed,
      check: { status: 'idle' },
      save: { status: 'idle' },
    });
  });

  it('shows a field’s message only after it was left, or after Save or Check was pressed', () => {
    const left = run([{ type: 'left', name: 'AUTH0_DOMAIN' }], loaded);
    expect([...left.touched]).toEqual(['AUTH0_DOMAIN']);
    expect(left.attempted).toBe(false);
    expect(run([{ type: 'attempted' }], loaded).attempted).toBe(true);
  });

  it('keeps the field messages it had when a validation gets no answer', () => {
    const errors = { AUTH0_DOMAIN: 'Domain is required.' };
    const state = run(
      [
        { type: 'validating' },
        { type: 'validated', answer: { errors, registration: view.registration } },
        { type: 'validating' },
        { type: 'validated', answer: null },
      ],
      loaded,
    );
    expect(state).toMatchObject({ validating: false, errors });
  });

  it('Check connection from "Save anyway?" takes that question away', () => {
    const state = run(
      [{ type: 'confirm-save', reason: 'unchecked' }, { type: 'checking' }],
      loaded,
    );
    expect(state.save).toEqual({ status: 'idle' });
    expect(state.check).toEqual({ status: 'checking' });
  });

  it('a Save shows what was saved, clears what was kept and the messages, then the check after it', () => {
    const savedView: SettingsView = {
      ...view,
      form: typed,
      active: { kind: 'tenant', label: 'x' },
    };
    const state = run(
      [
        { type: 'loaded', view, restore: typed },
        { type: 'attempted' },
        { type: 'left', name: 'AUTH0_DOMAIN' },
        { type: 'saving' },
        { type: 'saved', view: savedView, signedOut: true },
      ],
      initialSettingsState,
    );
    expect(state).toMatchObject({ loaded: savedView, restored: false, attempted: false });
    expect(state.touched.size).toBe(0);
    expect(state.save).toEqual({
      status: 'saved',
      provider: savedView.active,
      signedOut: true,
      check: { status: 'checking' },
    });
    const checked = run([{ type: 'checked-after-save', check: { status: 'passed' } }], state);
    expect(checked.save).toMatchObject({ status: 'saved', check: { status: 'passed' } });
  });

  it('a check that ends after the person changed the form again is not shown as the save’s', () => {
    const state = run(
      [
        { type: 'saved', view, signedOut: false },
        { type: 'edited', form: typed },
        { type: 'checked-after-save', check: { status: 'passed' } },
      ],
      loaded,
    );
    expect(state.save).toEqual({ status: 'idle' });
  });

  it('Discard changes goes back to the saved settings', () => {
    const state = run(
      [{ type: 'edited', form: typed }, { type: 'attempted' }, { type: 'discarded' }],
      run([{ type: 'loaded', view, restore: typed }]),
    );
    expect(state).toMatchObject({ form: savedForm, restored: false, attempted: false });
  });

  it('compares forms ignoring spaces around values', () => {
    const spaced = {
      provider: 'tenant' as const,
      values: { AUTH0_DOMAIN: ' dev-x.us.auth0.com ' },
    };
    expect(sameForm(typed, spaced)).toBe(true);
    expect(sameForm(typed, savedForm)).toBe(false);
  });

  it.each([
    [[{ name: 'Discovery', passed: true, detail: '' }], 40, 'All 1 checks passed in 40 ms.'],
    [
      [
        { name: 'Discovery', passed: false, detail: '' },
        { name: 'API', passed: true, detail: '' },
      ],
      1200,
      '1 of 2 checks failed in 1.2 s.',
    ],
    [
      [
        { name: 'Discovery', passed: false, detail: '' },
        { name: 'JWKS', passed: false, skipped: true, detail: '' },
      ],
      0,
      'Discovery failed: 1 check skipped.',
    ],
  ])('summarises Check connection (%#)', (checks, ms, summary) => {
    expect(checkSummary(checks, ms)).toBe(summary);
  });
});
