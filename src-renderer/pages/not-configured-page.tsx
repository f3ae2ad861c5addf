import { useSession } from '../hooks/use-session.tsx';

/** Shown on every page but Settings while a setting the app cannot use keeps it from signing in. */
export function NotConfiguredPage() {
  const { error } = useSession().session;
  return (
    <div className="content-layout">
      <h1 className="content__title">The app is not configured</h1>
      <div className="content__body">
        <p className="content__description">
          It cannot sign in until its settings are fixed.{error ? ` ${error.message}` : ''}
        </p>
        <p>
          <a className="button button--primary" href="#/settings">
            Open Settings
          </a>
        </p>
      </div>
    </div>
  );
}
