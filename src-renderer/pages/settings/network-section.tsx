import { useState } from 'react';
import type { SettingSource } from '../../../src-preload/contract.ts';
import { isLocked, sourceNote } from './field.tsx';

/**
 * What "This proxy:" holds while its URL is still empty: not a proxy URL, so the parser says so and
 * Save waits for one (an empty PROXY would mean the system's settings, silently).
 */
const NO_URL_YET = 'http://';

/** The three ways to reach the network, as the `PROXY` setting holds them. */
type ProxyMode = 'system' | 'none' | 'url';

/** `PROXY` as typed or saved: empty and `system` mean the system's settings (the default). */
export function proxyModeOf(value: string | undefined): ProxyMode {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '' || text === 'system') return 'system';
  if (text === 'none') return 'none';
  return 'url';
}

const CHOICES: ReadonlyArray<{ mode: ProxyMode; label: string; hint: string }> = [
  {
    mode: 'system',
    label: 'Use the system’s proxy settings',
    hint: 'The proxy, PAC script and exceptions your computer uses (where the app runs without them: HTTPS_PROXY, HTTP_PROXY and NO_PROXY).',
  },
  {
    mode: 'none',
    label: 'No proxy',
    hint: 'Every request goes straight to the provider and the API.',
  },
  { mode: 'url', label: 'This proxy:', hint: '' },
];

/**
 * Settings → Network: how the app's requests reach the provider and the API (`PROXY`). The sign-in
 * page itself opens in the browser, which uses its own settings. Requests to this computer never go
 * through a proxy, and no token crosses one in clear: https only inside its tunnel.
 */
export function NetworkSection({
  value,
  source,
  error,
  problem,
  onChange,
  onLeave,
}: {
  /** `PROXY` as the form holds it. */
  value: string | undefined;
  source: SettingSource | undefined;
  /** The message to show now for the proxy URL (undefined until it should show). */
  error: string | undefined;
  /**
   * Why the system's proxy settings cannot be used (a malformed HTTPS_PROXY in the environment) and
   * what the app does instead; shown under "Use the system's proxy settings" while it is chosen.
   */
  problem: string | undefined;
  onChange(value: string): void;
  onLeave(): void;
}) {
  const locked = isLocked(source);
  const mode = proxyModeOf(value);
  /** The URL typed last, kept while another choice is made (choosing "This proxy:" again brings it back). */
  const [typed, setTyped] = useState(mode === 'url' ? (value ?? '') : '');
  const note = sourceNote(source, 'PROXY');
  const urlValue = (text: string) => (text.trim() === '' ? NO_URL_YET : text);
  const choose = (next: ProxyMode) => onChange(next === 'url' ? urlValue(typed) : next);
  // The form's value while "This proxy:" is chosen (NO_URL_YET shows as the empty field it stands for).
  const shown = mode !== 'url' ? typed : value === NO_URL_YET && typed === '' ? '' : (value ?? '');
  const described = ['setting-PROXY-hint', error ? 'setting-PROXY-error' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <fieldset className="settings__group" disabled={locked}>
      <legend className="settings__legend" id="settings-network-legend">
        Network
      </legend>
      <p className="field__hint">
        How the app reaches the provider and the API. Requests to this computer never use a proxy,
        and a token goes through one only inside an encrypted (https) tunnel.
      </p>
      {note ? (
        <p className="field__source" id="setting-PROXY-source">
          {note}
        </p>
      ) : null}
      <div className="network__choices" role="radiogroup" aria-labelledby="settings-network-legend">
        {CHOICES.map((choice) => (
          <div
            key={choice.mode}
            className={`network__choice${mode === choice.mode ? ' network__choice--selected' : ''}`}
          >
            <label className="network__label">
              <input
                type="radio"
                id={`proxy-${choice.mode}`}
                name="proxy"
                value={choice.mode}
                checked={mode === choice.mode}
                onChange={() => choose(choice.mode)}
                aria-describedby={
                  [
                    choice.hint ? `proxy-${choice.mode}-hint` : '',
                    choice.mode === 'system' && mode === 'system' && problem
                      ? 'proxy-system-problem'
                      : '',
                  ]
                    .filter(Boolean)
                    .join(' ') || undefined
                }
              />
              <span className="network__name">{choice.label}</span>
            </label>
            {choice.hint ? (
              <span className="field__hint network__hint" id={`proxy-${choice.mode}-hint`}>
                {choice.hint}
              </span>
            ) : null}
            {choice.mode === 'system' && mode === 'system' && problem ? (
              <span className="field__error network__hint" id="proxy-system-problem">
                {problem}
              </span>
            ) : null}
            {choice.mode === 'url' ? (
              <input
                id="setting-PROXY"
                className="field__input network__url"
                type="text"
                inputMode="url"
                spellCheck={false}
                autoComplete="off"
                placeholder="http://proxy.example.com:3128"
                aria-label="Proxy URL"
                aria-describedby={described}
                aria-invalid={error ? true : undefined}
                value={shown}
                readOnly={locked}
                // Typed into only once "This proxy:" is chosen: tabbing past it changes nothing.
                disabled={mode !== 'url'}
                onChange={(event) => {
                  setTyped(event.target.value);
                  onChange(urlValue(event.target.value));
                }}
                onBlur={locked ? undefined : onLeave}
              />
            ) : null}
          </div>
        ))}
      </div>
      <p className="field__hint" id="setting-PROXY-hint">
        A proxy URL like HTTPS_PROXY’s: http://host:port, with user:password@ before the host if it
        asks for them.
      </p>
      {error ? (
        <p className="field__error" id="setting-PROXY-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
