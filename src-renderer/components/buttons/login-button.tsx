import { useSession } from '../../hooks/use-session.tsx';
import type { RoutePath } from '../../hooks/use-route.ts';

interface Props {
  /** Where to go once signed in; stay on the current page when absent. */
  returnTo?: RoutePath;
  onAction?: () => void;
}

export function LoginButton({ returnTo, onAction }: Props) {
  const { session, login } = useSession();
  return (
    <button
      type="button"
      className="button button--primary"
      disabled={session.status === 'signing-in'}
      onClick={() => {
        onAction?.();
        void login(returnTo);
      }}
    >
      Log In
    </button>
  );
}
