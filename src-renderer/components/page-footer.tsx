import { hrefFor } from '../hooks/use-route.ts';
import { useSession } from '../hooks/use-session.tsx';

export function PageFooter() {
  const { provider } = useSession().session;
  return (
    <footer className="page-footer">
      {provider ? (
        <p className="page-footer__provider">
          {/* Where it is chosen is one click away (issue 22, L11). */}
          Identity provider:{' '}
          <a href={hrefFor('/settings')} className="page-footer__settings-link">
            <strong>{provider.label}</strong>
          </a>
        </p>
      ) : null}
      <p>
        A desktop take on Auth0&rsquo;s &ldquo;Hello World&rdquo; samples: Electron, OpenID Connect
        and OAuth 2.0 for Native Apps (RFC 8252).
      </p>
    </footer>
  );
}
