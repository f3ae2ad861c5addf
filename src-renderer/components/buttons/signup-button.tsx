import { useSession } from '../../hooks/use-session.tsx';
import type { RoutePath } from '../../hooks/use-route.ts';

interface Props {
  returnTo?: RoutePath;
  onAction?: () => void;
}

export function SignupButton({ returnTo, onAction }: Props) {
  const { session, signup } = useSession();
  return (
    <button
      type="button"
      className="button button--secondary"
      disabled={session.status === 'signing-in'}
      onClick={() => {
        onAction?.();
        void signup(returnTo);
      }}
    >
      Sign Up
    </button>
  );
}
