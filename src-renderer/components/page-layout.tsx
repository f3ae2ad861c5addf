import type { MouseEvent, ReactNode } from 'react';
import { useFocusRule } from '../hooks/use-focus-rule.ts';
import { MobileNavBar } from './navigation/mobile/mobile-nav-bar.tsx';
import { NavBar } from './navigation/desktop/nav-bar.tsx';
import { PageFooter } from './page-footer.tsx';
import { SessionNotices } from './session-notices.tsx';
import { UpdateNotice } from './update-notice.tsx';

export function PageLayout({ children }: { children: ReactNode }) {
  useFocusRule();
  return (
    <div className="page-layout">
      <a className="skip-link" href="#main-content" onClick={skipToMain}>
        Skip to content
      </a>
      <header className="page-layout__header">
        <NavBar />
        <MobileNavBar />
      </header>
      <main className="page-layout__content" id="main-content" tabIndex={-1}>
        <SessionNotices />
        <UpdateNotice />
        {children}
      </main>
      <PageFooter />
    </div>
  );
}

/** A plain `#main-content` link would be read as a route by the hash router. */
function skipToMain(event: MouseEvent<HTMLAnchorElement>): void {
  event.preventDefault();
  document.getElementById('main-content')?.focus();
}
