import { hrefFor, useRoute } from '../../../hooks/use-route.ts';
import type { RoutePath } from '../../../hooks/use-route.ts';

interface Props {
  path: RoutePath;
  label: string;
  onNavigate: () => void;
}

export function MobileNavBarTab({ path, label, onNavigate }: Props) {
  const active = useRoute() === path;
  return (
    <a
      href={hrefFor(path)}
      className={active ? 'mobile-nav-bar__tab mobile-nav-bar__tab--active' : 'mobile-nav-bar__tab'}
      aria-current={active ? 'page' : undefined}
      onClick={onNavigate}
    >
      {label}
    </a>
  );
}
