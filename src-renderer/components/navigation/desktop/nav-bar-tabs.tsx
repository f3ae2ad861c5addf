import { useSession } from '../../../hooks/use-session.tsx';
import { NAV_TABS } from '../tabs.ts';
import { NavBarTab } from './nav-bar-tab.tsx';

export function NavBarTabs() {
  const signedIn = useSession().session.status === 'signed-in';
  return (
    <div className="nav-bar__tabs">
      {NAV_TABS.filter((tab) => signedIn || !tab.signedInOnly).map((tab) => (
        <NavBarTab key={tab.path} path={tab.path} label={tab.label} />
      ))}
    </div>
  );
}
