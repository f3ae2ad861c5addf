import { MessagePage } from './message-page.tsx';

export function PublicPage() {
  return (
    <MessagePage
      kind="public"
      title="Public Page"
      snippetTitle="Public Message"
      requiresSignIn={false}
      description={
        <>
          This page retrieves a <strong>public message</strong> from an external API.{' '}
          <strong>Anyone can see this page.</strong>
        </>
      }
    />
  );
}
