import { useSession } from '../../../hooks/use-session.tsx';
import { NAV_TABS } from '../tabs.ts';
import { MobileNavBarTab } from './mobile-nav-bar-tab.tsx';

export function MobileNavBarTabs({ onNavigate }: { onNavigate: () => void }) {
  const signedIn = useSession().session.status === 'signed-in';
  return (
    <div className="mobile-nav-bar__tabs">
      {NAV_TABS.filter((tab) => signedIn || !tab.signedInOnly).map((tab) => (
        <MobileNavBarTab key={tab.path} path={tab.path} label={tab.label} onNavigate={onNavigate} />
      ))}
    </div>
  );
}
