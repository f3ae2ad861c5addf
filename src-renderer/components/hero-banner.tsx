import { APP_NAME } from '../../src-preload/app-name.ts';
import { BrandLogo } from './navigation/brand-logo.tsx';

export function HeroBanner() {
  return (
    <div className="hero-banner">
      <div className="hero-banner__logo">
        <BrandLogo size={72} />
      </div>
      <h1 className="hero-banner__headline">{APP_NAME}</h1>
      <p className="hero-banner__description">
        This desktop app signs you in the way a native app should: in your own{' '}
        <strong>system browser</strong>, with the authorization code flow and <strong>PKCE</strong>.
        Your tokens stay in the app&rsquo;s main process, <strong>encrypted</strong> by your
        operating system, and the app uses them to call a <strong>protected API</strong> for you.
      </p>
    </div>
  );
}
