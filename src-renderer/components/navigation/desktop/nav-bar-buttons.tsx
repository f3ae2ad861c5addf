import { useSession } from '../../../hooks/use-session.tsx';
import { LoginButton } from '../../buttons/login-button.tsx';
import { LogoutButton } from '../../buttons/logout-button.tsx';
import { SignupButton } from '../../buttons/signup-button.tsx';
import { SignedInUser } from '../signed-in-user.tsx';

export function NavBarButtons() {
  const { status } = useSession().session;
  // While the session is being restored we do not know yet which buttons are true.
  if (status === 'restoring') return <div className="nav-bar__buttons" />;
  return (
    <div className="nav-bar__buttons">
      {status === 'signed-in' ? (
        <>
          <SignedInUser className="nav-bar__user" />
          <LogoutButton />
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
