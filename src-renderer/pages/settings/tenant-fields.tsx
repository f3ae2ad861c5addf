import type { ReactNode } from 'react';
import type {
  FieldErrors,
  SettingName,
  SettingSource,
  SettingsForm,
} from '../../../src-preload/contract.ts';
import { Field, isLocked } from './field.tsx';

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
  {
    name: 'MAX_ACCOUNTS',
    placeholder: '5',
    hint: 'How many accounts can be signed in at once, from 1 to 20 (1: one account only).',
  },
];

/** The fields of "Your Auth0 tenant": the text fields, DPoP and how the Audience is sent. */
export function TenantFields({
  form,
  sources,
  errors,
  shownError,
  adviceFor,
  onChange,
  onLeave,
}: {
  form: SettingsForm;
  sources: Partial<Record<SettingName, SettingSource>>;
  errors: FieldErrors;
  /** The message a field shows now: only once it was left, or after Save or Check was pressed. */
  shownError(name: SettingName): string | undefined;
  /** Advice next to a field (the demo provider's own address), if any. */
  adviceFor(name: SettingName): ReactNode;
  onChange(name: SettingName, value: string): void;
  /** The field was left: from now on its message shows ("required" on an untouched field is noise). */
  onLeave(name: SettingName): void;
}) {
  const value = (name: SettingName): string => form.values[name] ?? '';
  return (
    <>
      {TEXT_FIELDS.map(({ name, placeholder, hint }) => {
        const locked = isLocked(sources[name]);
        return (
          <Field
            key={name}
            name={name}
            hint={hint}
            source={sources[name]}
            error={shownError(name)}
            advice={adviceFor(name)}
            control={(control) => (
              <input
                {...control}
                className="field__input"
                type="text"
                inputMode={
                  name === 'AUTH0_CALLBACK_PORTS' || name === 'MAX_ACCOUNTS'
                    ? 'numeric'
                    : name === 'API_SERVER_URL'
                      ? 'url'
                      : 'text'
                }
                spellCheck={false}
                autoComplete="off"
                placeholder={placeholder}
                value={value(name)}
                readOnly={locked}
                onChange={(event) => onChange(name, event.target.value)}
                onBlur={locked ? undefined : () => onLeave(name)}
              />
            )}
          />
        );
      })}
      <Field
        name="AUTH0_DPOP"
        checkbox
        hint="Bind tokens to this computer’s key (RFC 9449). Only if your tenant and API accept DPoP."
        source={sources.AUTH0_DPOP}
        error={shownError('AUTH0_DPOP')}
        control={(control) => (
          <input
            {...control}
            type="checkbox"
            checked={value('AUTH0_DPOP').toLowerCase() === 'true'}
            disabled={isLocked(sources.AUTH0_DPOP)}
            onChange={(event) => onChange('AUTH0_DPOP', event.target.checked ? 'true' : 'false')}
          />
        )}
      />
      {/* Empty: the parser's default for the Domain. Its message shows at once (a select has no typing). */}
      <Field
        name="AUTH0_RESOURCE_PARAMETER"
        hint="How the Audience is sent when asking for tokens. Providers that follow RFC 8707 read resource."
        source={sources.AUTH0_RESOURCE_PARAMETER}
        error={errors.AUTH0_RESOURCE_PARAMETER}
        control={(control) => (
          <select
            {...control}
            className="field__input"
            value={value('AUTH0_RESOURCE_PARAMETER').trim().toLowerCase()}
            disabled={isLocked(sources.AUTH0_RESOURCE_PARAMETER)}
            onChange={(event) => onChange('AUTH0_RESOURCE_PARAMETER', event.target.value)}
          >
            <option value="">Default: audience on an Auth0 domain, both elsewhere</option>
            <option value="audience">audience (Auth0)</option>
            <option value="resource">resource (RFC 8707)</option>
            <option value="both">both</option>
          </select>
        )}
      />
    </>
  );
}
