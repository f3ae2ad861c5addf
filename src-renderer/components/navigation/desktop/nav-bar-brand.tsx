import { APP_NAME } from '../../../../src-preload/app-name.ts';
import { hrefFor } from '../../../hooks/use-route.ts';
import { BrandLogo } from '../brand-logo.tsx';

export function NavBarBrand() {
  return (
    <a className="nav-bar__brand" href={hrefFor('/')}>
      <BrandLogo />
      <span>{APP_NAME}</span>
    </a>
  );
}
