import { MessagePage } from './message-page.tsx';

export function ProtectedPage() {
  return (
    <MessagePage
      kind="protected"
      title="Protected Page"
      snippetTitle="Protected Message"
      requiresSignIn
      description={
        <>
          This page retrieves a <strong>protected message</strong> from an external API, using your
          access token. <strong>Only signed-in users can see this page.</strong>
        </>
      }
    />
  );
}
