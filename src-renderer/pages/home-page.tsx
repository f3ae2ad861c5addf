import { HeroBanner } from '../components/hero-banner.tsx';

const FEATURES = [
  {
    title: 'Sign in with the system browser',
    text: 'Log In and Sign Up open your default browser, never an embedded window. The answer comes back to a one-shot loopback address on 127.0.0.1 (RFC 8252).',
  },
  {
    title: 'Authorization code + PKCE',
    text: 'Each sign-in uses a fresh PKCE S256 verifier, state and nonce, and checks the issuer. A desktop app keeps no client secret.',
  },
  {
    title: 'Tokens stay in the main process',
    text: 'Access, ID and refresh tokens never reach this window. They are encrypted with your operating system’s keychain before they are saved.',
  },
  {
    title: 'Calls to a protected API',
    text: 'The Protected and Admin pages ask the main process, which calls the Hello World API with your access token and refreshes it when it expires.',
  },
] as const;

export function HomePage() {
  return (
    <>
      <HeroBanner />
      <section className="features" aria-labelledby="features-title">
        <h2 className="features__title" id="features-title">
          What this app demonstrates
        </h2>
        <ul className="features__grid">
          {FEATURES.map((feature) => (
            <li className="card feature" key={feature.title}>
              <h3 className="feature__title">{feature.title}</h3>
              <p className="feature__text">{feature.text}</p>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
