import type { ReactNode } from 'react';
import type { AppError, MessageKind } from '../../src-preload/contract.ts';
import { AuthenticationGuard } from '../components/authentication-guard.tsx';
import { CodeSnippet } from '../components/code-snippet.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { PageLoader } from '../components/page-loader.tsx';
import { stillFailing } from '../components/still-failing.ts';
import { useApiMessage, type MessageState } from '../hooks/use-api-message.ts';
import { useSession } from '../hooks/use-session.tsx';

interface Props {
  kind: MessageKind;
  title: string;
  snippetTitle: string;
  description: ReactNode;
  /** Protected and Admin are for signed-in users only. */
  requiresSignIn: boolean;
}

/** The Public, Protected and Admin pages: one API message each, fetched by the main process. */
export function MessagePage({ kind, title, snippetTitle, description, requiresSignIn }: Props) {
  const content = (
    <Message kind={kind} snippetTitle={snippetTitle} requiresSignIn={requiresSignIn} />
  );
  return (
    <div className="content-layout">
      <h1 className="content__title">{title}</h1>
      <div className="content__body">
        <p className="content__description">{description}</p>
        {requiresSignIn ? <AuthenticationGuard>{content}</AuthenticationGuard> : content}
      </div>
    </div>
  );
}

function Message({ kind, snippetTitle, requiresSignIn }: Omit<Props, 'title' | 'description'>) {
  const { status } = useSession().session;
  const { state, reload } = useApiMessage(kind, !requiresSignIn || status === 'signed-in');
  switch (state.status) {
    case 'idle':
    case 'loading':
      return <PageLoader label="Getting the message from the API…" />;
    case 'loaded':
      return <CodeSnippet title={snippetTitle} code={JSON.stringify(state.data, null, 2)} />;
    case 'failed':
      return <MessageError kind={kind} state={state} reload={reload} />;
  }
}

/**
 * What went wrong, in plain words first (the heading) and the technical sentence after. A refusal for
 * a missing permission cannot succeed on retry: no "Try again", but what would help.
 */
function MessageError({
  kind,
  state,
  reload,
}: {
  kind: MessageKind;
  state: Extract<MessageState, { status: 'failed' }>;
  reload(): void;
}) {
  const { error, retrying, failedAgainAt } = state;
  if (kind === 'admin' && error.status === 403) {
    return (
      <ErrorAlert
        title="Permission denied"
        message="Your account does not have the read:admin-messages permission, so the API will not show the admin message. Switch to an account that has it in the account menu (or add one there), or ask an administrator to grant it to your account."
      />
    );
  }
  const detail = error.status ? `${error.message} (HTTP ${error.status})` : error.message;
  return (
    <ErrorAlert title="The message could not be loaded" message={detail}>
      {failedAgainAt !== undefined && !retrying ? (
        <p className="callout__message">
          {stillFailing(STILL[error.code] ?? 'It failed again', failedAgainAt)}
        </p>
      ) : null}
      {/* Busy, not removed: focus stays on Try again while it tries (the focus rule). */}
      <button
        type="button"
        className="button button--secondary-light callout__action"
        aria-disabled={retrying ? true : undefined}
        onClick={() => {
          if (!retrying) reload();
        }}
      >
        {retrying ? 'Trying again…' : 'Try again'}
      </button>
    </ErrorAlert>
  );
}

/** What a Try again that failed again could not do, by the error's code. */
const STILL: Partial<Record<AppError['code'], string>> = {
  api_unreachable: 'Still cannot reach the message API',
  provider_unreachable: 'Still cannot reach the sign-in service',
};
