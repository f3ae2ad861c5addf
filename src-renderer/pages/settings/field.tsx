import type { ReactNode } from 'react';
import {
  SETTING_LABELS,
  type SettingName,
  type SettingSource,
} from '../../../src-preload/contract.ts';

const SOURCE_NOTES: Partial<Record<SettingSource, (name: SettingName) => string>> = {
  environment: (name) => `Set by the environment (${name}); read-only here.`,
  managed: (name) => `Set by your organisation (app-config.json, ${name}); read-only here.`,
};

/** Set outside the app (the environment, an organisation's app-config.json): read-only here. */
export function isLocked(source: SettingSource | undefined): boolean {
  return source === 'environment' || source === 'managed';
}

/** "Set by the environment (AUTH0_DOMAIN); read-only here.", or nothing for a value set here. */
export function sourceNote(
  source: SettingSource | undefined,
  name: SettingName,
): string | undefined {
  return source ? SOURCE_NOTES[source]?.(name) : undefined;
}

/** What the control inside a field needs: its id, and the words that describe it. */
export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

interface Props {
  name: SettingName;
  hint?: ReactNode;
  source: SettingSource | undefined;
  /** The message to show now (undefined until it should show). */
  error: string | undefined;
  /** Not an error: something to know about this value (e.g. it is the demo provider's address). */
  advice?: ReactNode;
  /** A checkbox: the box first, its label and words beside it. */
  checkbox?: boolean;
  /** The input, select or checkbox, given its id and what describes it. */
  control(props: ControlProps): ReactNode;
}

/**
 * One setting: its label, its control, then its hint, where it is set, advice and error, each
 * linked to the control by aria-describedby. Every field of the Settings form is one of these.
 */
export function Field({ name, hint, source, error, advice, checkbox, control }: Props) {
  const id = `setting-${name}`;
  const note = sourceNote(source, name);
  const described = [
    hint ? `${id}-hint` : '',
    note ? `${id}-source` : '',
    advice ? `${id}-advice` : '',
    error ? `${id}-error` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const input = control({
    id,
    ...(described ? { 'aria-describedby': described } : {}),
    ...(error ? { 'aria-invalid': true } : {}),
  });
  const label = (
    <label className="field__label" htmlFor={id}>
      {SETTING_LABELS[name]}
    </label>
  );
  const words = (
    <>
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
    </>
  );
  return checkbox ? (
    <div className="field field--checkbox">
      {input}
      <div>
        {label}
        {words}
      </div>
    </div>
  ) : (
    <div className="field">
      {label}
      {input}
      {words}
    </div>
  );
}
