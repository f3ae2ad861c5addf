import { useSession } from '../../hooks/use-session.tsx';

export function LogoutButton({ onAction }: { onAction?: () => void }) {
  const { logout } = useSession();
  return (
    <button
      type="button"
      className="button button--secondary"
      onClick={() => {
        onAction?.();
        void logout();
      }}
    >
      Log Out
    </button>
  );
}
