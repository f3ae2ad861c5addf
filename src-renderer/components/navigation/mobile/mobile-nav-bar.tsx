import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useRoute } from '../../../hooks/use-route.ts';
import { MobileMenuToggleButton } from './mobile-menu-toggle-button.tsx';
import { MobileNavBarBrand } from './mobile-nav-bar-brand.tsx';
import { MobileNavBarButtons } from './mobile-nav-bar-buttons.tsx';
import { MobileNavBarTabs } from './mobile-nav-bar-tabs.tsx';

/** The narrow-window navigation: tabs and buttons behind a "Menu" button. */
export function MobileNavBar() {
  const route = useRoute();
  // The menu is open on the page where it was opened: any navigation (a tab, the brand, the
  // browser's Back button) closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === route;
  const menuId = useId();
  const toggleRef = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpenOn(null), []);
  // The pressed item is hidden with the menu: focus goes to the Menu button, so the next Tab is the
  // first item after the menu (the focus rule). A tab's page then takes it to its heading.
  const closeFromItem = useCallback(() => {
    toggleRef.current?.focus();
    setOpenOn(null);
  }, []);

  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        close();
        toggleRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [open, close]);

  return (
    <div className="mobile-nav-bar__container">
      <nav className="mobile-nav-bar" aria-label="Main">
        <div className="mobile-nav-bar__bar">
          <MobileNavBarBrand onNavigate={close} />
          <MobileMenuToggleButton
            ref={toggleRef}
            open={open}
            controls={menuId}
            onToggle={() => setOpenOn(open ? null : route)}
          />
        </div>
        <div id={menuId} className="mobile-nav-bar__menu" hidden={!open}>
          <MobileNavBarTabs onNavigate={closeFromItem} />
          <MobileNavBarButtons onAction={closeFromItem} />
        </div>
      </nav>
    </div>
  );
}
