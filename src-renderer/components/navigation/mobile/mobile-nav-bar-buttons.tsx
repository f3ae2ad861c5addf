import { useSession } from '../../../hooks/use-session.tsx';
import { LoginButton } from '../../buttons/login-button.tsx';
import { LogoutButton } from '../../buttons/logout-button.tsx';
import { SignupButton } from '../../buttons/signup-button.tsx';
import { AccountMenu } from '../account-menu.tsx';
import { addingAccount, showsLogOut } from '../shows-log-out.ts';

export function MobileNavBarButtons({ onAction }: { onAction: () => void }) {
  const { session } = useSession();
  // Restoring: not known yet which buttons are true. Adding an account: the banner's Cancel is the way back.
  if (session.status === 'restoring' || addingAccount(session)) return null;
  return (
    <div className="mobile-nav-bar__buttons">
      {session.status === 'signed-in' ? (
        <>
          <AccountMenu narrow onAction={onAction} />
          {showsLogOut(session) ? <LogoutButton onAction={onAction} /> : null}
        </>
      ) : (
        <>
          <SignupButton returnTo="/profile" onAction={onAction} />
          <LoginButton returnTo="/profile" onAction={onAction} />
        </>
      )}
    </div>
  );
}
