import { useSession } from '../../hooks/use-session.tsx';
import type { RoutePath } from '../../hooks/use-route.ts';

interface Props {
  /** Where to go once signed in; stay on the current page when absent. */
  returnTo?: RoutePath;
  onAction?: () => void;
}

export function LoginButton({ returnTo, onAction }: Props) {
  // Not disabled while a sign-in waits: a second press brings the pending sign-in forward.
  const { login } = useSession();
  return (
    <button
      type="button"
      className="button button--primary"
      onClick={() => {
        onAction?.();
        void login(returnTo);
      }}
    >
      Log In
    </button>
  );
}
