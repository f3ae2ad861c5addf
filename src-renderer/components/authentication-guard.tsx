import type { ReactNode } from 'react';
import { useSession } from '../hooks/use-session.tsx';
import { LoginButton } from './buttons/login-button.tsx';
import { addingAccount } from './navigation/shows-log-out.ts';

/** Shows its children to signed-in users; everyone else learns why they cannot see the page. */
export function AuthenticationGuard({ children }: { children: ReactNode }) {
  const { session } = useSession();
  if (session.status === 'signed-in') return children;
  const adding = addingAccount(session);
  return (
    <div className="card guard">
      <svg className="guard__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <rect x="5" y="10.5" width="14" height="10" rx="2" />
        <path d="M8 10.5V7.5a4 4 0 0 1 8 0v3" />
      </svg>
      {adding ? (
        <p className="guard__message">
          This page shows again once the account is added, or when you cancel.
        </p>
      ) : (
        <>
          <p className="guard__message">You need to log in to see this page.</p>
          <LoginButton />
        </>
      )}
    </div>
  );
}
