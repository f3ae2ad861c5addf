export function PageFooter() {
  return (
    <footer className="page-footer">
      <p>
        A desktop take on Auth0&rsquo;s &ldquo;Hello World&rdquo; samples: Electron, OpenID Connect and OAuth 2.0 for
        Native Apps (RFC 8252).
      </p>
    </footer>
  );
}
