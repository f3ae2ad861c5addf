import { NavBarBrand } from './nav-bar-brand.tsx';
import { NavBarButtons } from './nav-bar-buttons.tsx';
import { NavBarTabs } from './nav-bar-tabs.tsx';

export function NavBar() {
  return (
    <div className="nav-bar__container">
      <nav className="nav-bar" aria-label="Main">
        <NavBarBrand />
        <NavBarTabs />
        <NavBarButtons />
      </nav>
    </div>
  );
}
