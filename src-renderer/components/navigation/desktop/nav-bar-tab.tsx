import { hrefFor, useRoute } from '../../../hooks/use-route.ts';
import type { RoutePath } from '../../../hooks/use-route.ts';

export function NavBarTab({ path, label }: { path: RoutePath; label: string }) {
  const active = useRoute() === path;
  return (
    <a
      href={hrefFor(path)}
      className={active ? 'nav-bar__tab nav-bar__tab--active' : 'nav-bar__tab'}
      aria-current={active ? 'page' : undefined}
    >
      {label}
    </a>
  );
}
