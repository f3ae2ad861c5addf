import { useEffect, useRef } from 'react';
import type { ComponentType } from 'react';
import { APP_NAME } from '../src-preload/app-name.ts';
import type { AuthBridge } from '../src-preload/contract.ts';
import { ErrorBoundary } from './components/error-boundary.tsx';
import { PageLayout } from './components/page-layout.tsx';
import { PageLoader } from './components/page-loader.tsx';
import { navigate, useRoute } from './hooks/use-route.ts';
import { SessionProvider, useSession } from './hooks/use-session.tsx';
import { AdminPage } from './pages/admin-page.tsx';
import { HomePage } from './pages/home-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { ProfilePage } from './pages/profile-page.tsx';
import { ProtectedPage } from './pages/protected-page.tsx';
import { NotConfiguredPage } from './pages/not-configured-page.tsx';
import { PublicPage } from './pages/public-page.tsx';
import { SettingsPage } from './pages/settings/settings-page.tsx';

const PAGES: Record<string, { title: string; Page: ComponentType }> = {
  '/': { title: 'Home', Page: HomePage },
  '/profile': { title: 'Profile', Page: ProfilePage },
  '/public': { title: 'Public', Page: PublicPage },
  '/protected': { title: 'Protected', Page: ProtectedPage },
  '/admin': { title: 'Admin', Page: AdminPage },
  '/settings': { title: 'Settings', Page: SettingsPage },
};
const NOT_CONFIGURED = { title: 'Not configured', Page: NotConfiguredPage };
const NOT_FOUND = { title: 'Not Found', Page: NotFoundPage };

export function App({ bridge }: { bridge: AuthBridge }) {
  // The application menu's Settings… item (CmdOrCtrl+,) arrives as an event from main.
  useEffect(() => bridge.onOpenSettings(() => navigate('/settings')), [bridge]);
  return (
    <SessionProvider bridge={bridge}>
      <PageLayout>
        <CurrentPage />
      </PageLayout>
    </SessionProvider>
  );
}

function CurrentPage() {
  const route = useRoute();
  const { status, provider } = useSession().session;
  // A value the app cannot use leaves it running: every page but Settings says so and links there.
  const { title, Page } =
    provider?.kind === 'none' && route !== '/settings'
      ? NOT_CONFIGURED
      : (PAGES[route] ?? NOT_FOUND);
  const firstRender = useRef(true);

  useEffect(() => {
    document.title = `${title} · ${APP_NAME}`;
  }, [title]);

  // After a navigation, take keyboard and screen-reader users to the new page's heading.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    window.scrollTo(0, 0);
    const heading = document.querySelector<HTMLElement>('main h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  }, [route]);

  if (status === 'restoring') return <PageLoader label="Restoring your session…" />;
  return (
    <ErrorBoundary key={route}>
      <Page />
    </ErrorBoundary>
  );
}
