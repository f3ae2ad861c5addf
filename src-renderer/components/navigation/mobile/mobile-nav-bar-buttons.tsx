import { useSession } from '../../../hooks/use-session.tsx';
import { LoginButton } from '../../buttons/login-button.tsx';
import { LogoutButton } from '../../buttons/logout-button.tsx';
import { SignupButton } from '../../buttons/signup-button.tsx';
import { SignedInUser } from '../signed-in-user.tsx';

export function MobileNavBarButtons({ onAction }: { onAction: () => void }) {
  const { status } = useSession().session;
  if (status === 'restoring') return null;
  return (
    <div className="mobile-nav-bar__buttons">
      {status === 'signed-in' ? (
        <>
          <SignedInUser className="mobile-nav-bar__user" showLabel />
          <LogoutButton onAction={onAction} />
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
