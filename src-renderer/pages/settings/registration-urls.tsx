import type { ReactNode } from 'react';
import { useId } from 'react';
import type { Registration } from '../../../src-preload/contract.ts';
import { Callout } from '../../components/callout.tsx';
import { CopyButton } from '../../components/copy-button.tsx';

/** The URLs to register at the provider for these settings, each with a Copy button. */
export function RegistrationUrls({ registration }: { registration: Registration }) {
  return (
    <section className="settings__group" aria-labelledby="register-title">
      <h2 className="settings__legend" id="register-title">
        Register in your Auth0 application
      </h2>
      {registration.warning ? (
        <Callout kind="progress" title="Set callback ports">
          <p className="callout__message">{registration.warning}</p>
        </Callout>
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
