import { useSession } from '../../hooks/use-session.tsx';
import type { RoutePath } from '../../hooks/use-route.ts';

interface Props {
  returnTo?: RoutePath;
  onAction?: () => void;
}

export function SignupButton({ returnTo, onAction }: Props) {
  // Not disabled while a sign-in waits: a second press brings the pending sign-in forward.
  const { signup } = useSession();
  return (
    <button
      type="button"
      className="button button--secondary"
      onClick={() => {
        onAction?.();
        void signup(returnTo);
      }}
    >
      Sign Up
    </button>
  );
}
