import { MessagePage } from './message-page.tsx';

export function AdminPage() {
  return (
    <MessagePage
      kind="admin"
      title="Admin Page"
      snippetTitle="Admin Message"
      requiresSignIn
      description={
        <>
          This page retrieves an <strong>admin message</strong> from an external API.{' '}
          <strong>
            Only signed-in users with the <code>read:admin-messages</code> permission can see the
            message.
          </strong>
        </>
      }
    />
  );
}
