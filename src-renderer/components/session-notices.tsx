import type { AppError } from '../../src-preload/contract.ts';
import { useSession } from '../hooks/use-session.tsx';
import { ErrorAlert } from './error-alert.tsx';

const ALERT_TITLES: Partial<Record<AppError['code'], string>> = {
  provider_unreachable: 'Cannot reach the sign-in service',
  provider_error: 'The sign-in service reported a problem',
  access_denied: 'Sign-in was not allowed',
  callback_invalid: 'Sign-in could not be completed',
  sign_in_timeout: 'Sign-in timed out',
  session_expired: 'Your session has ended',
  storage_unreadable: 'Your saved session could not be read',
  storage_not_encrypted: 'Your session cannot be saved securely',
  ports_busy: 'Sign-in could not start',
  config_invalid: 'The app is not configured correctly',
  preview_locked: 'Open the link printed in the terminal',
};

/** What the session says right now, above every page: sign-in in progress, errors, persistence. */
export function SessionNotices() {
  const { session, alert, dismissAlert, cancel } = useSession();
  return (
    <div className="session-notices">
      {session.status === 'signing-in' ? (
        <section className="callout callout--progress" aria-labelledby="signing-in-title">
          <span className="page-loader__spinner" aria-hidden="true" />
          <div className="callout__body" role="status">
            <h2 className="callout__title" id="signing-in-title">
              Finish signing in in your browser
            </h2>
            <p className="callout__message">
              {session.flow === 'signup'
                ? 'We opened the sign-up page in your web browser. Create your account there; this window updates by itself.'
                : 'We opened the sign-in page in your web browser. Sign in there; this window updates by itself.'}
            </p>
          </div>
          <button type="button" className="button button--secondary-light" onClick={() => void cancel()}>
            Cancel
          </button>
        </section>
      ) : null}
      {alert ? (
        <ErrorAlert title={ALERT_TITLES[alert.code]} message={alert.message} onDismiss={dismissAlert} />
      ) : null}
      {session.persistence === 'memory' && session.status !== 'restoring' ? (
        <div className="callout callout--info">
          <svg className="callout__icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <circle cx="10" cy="10" r="9" />
            <path d="M10 9v5.5M10 5.5v1" />
          </svg>
          <div className="callout__body">
            <p className="callout__title">Your session will not be remembered</p>
            <p className="callout__message">
              This computer offers no encryption for saved sign-ins, so you will need to log in again after the app
              closes.
            </p>
          </div>
        </div>
      ) : null}
    </div>
  );
}
