import { APP_NAME } from '../../../../src-preload/app-name.ts';
import { hrefFor } from '../../../hooks/use-route.ts';
import { BrandLogo } from '../brand-logo.tsx';

export function MobileNavBarBrand({ onNavigate }: { onNavigate: () => void }) {
  return (
    <a className="mobile-nav-bar__brand" href={hrefFor('/')} onClick={onNavigate}>
      <BrandLogo size={26} />
      <span>{APP_NAME}</span>
    </a>
  );
}
