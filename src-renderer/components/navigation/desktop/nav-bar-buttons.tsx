import { useSession } from '../../../hooks/use-session.tsx';
import { LoginButton } from '../../buttons/login-button.tsx';
import { LogoutButton } from '../../buttons/logout-button.tsx';
import { SignupButton } from '../../buttons/signup-button.tsx';
import { AccountMenu } from '../account-menu.tsx';
import { addingAccount, showsLogOut } from '../shows-log-out.ts';

export function NavBarButtons() {
  const { session } = useSession();
  // Restoring: not known yet which buttons are true. Adding an account: the banner's Cancel is the way back.
  if (session.status === 'restoring' || addingAccount(session))
    return <div className="nav-bar__buttons" />;
  return (
    <div className="nav-bar__buttons">
      {session.status === 'signed-in' ? (
        <>
          <AccountMenu />
          {showsLogOut(session) ? <LogoutButton /> : null}
        </>
      ) : (
        <>
          <SignupButton returnTo="/profile" />
          <LoginButton returnTo="/profile" />
        </>
      )}
    </div>
  );
}
