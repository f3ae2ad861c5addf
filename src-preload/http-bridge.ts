/**
 * The preview's bridge: the same `AuthBridge` the Electron preload exposes, carried over HTTP and
 * server-sent events instead of IPC, so the renderer cannot tell which host it runs in.
 *
 * - request: `POST {base}/__bridge/{channel}` with `{"args":[...]}`; the answer is the channel's
 *   response type from the contract.
 * - events: one `EventSource` on `{base}/__bridge/events`: `session:changed` (data: a SessionView) and
 *   `app:open-settings` (data: null; the preview sends it when a test stands in for the app menu).
 *
 * Like the contract's responses, nothing here throws or rejects: when the host does not answer, the
 * caller gets `{ ok: false, error }` (or, for `getSession`, a signed-out view carrying the error), so
 * the UI can always show something true.
 */
import {
  bridgeMethods as channelOf,
  events,
  type AppError,
  type AuthBridge,
  type Channel,
  type ChannelArgs,
  type ChannelResponses,
  type SessionView,
} from './contract.ts';

const NOT_RESPONDING = 'The app is not responding. Try again in a moment.';
/** How long to wait before reopening an event stream the browser gave up on. */
const EVENTS_RETRY_MS = 2000;

type Answer = { ok: true; body: unknown } | { ok: false; error: AppError };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isSessionView(value: unknown): value is SessionView {
  return (
    isObject(value) && typeof value.status === 'string' && typeof value.persistence === 'string'
  );
}

function isAppError(value: unknown): value is AppError {
  return isObject(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

/**
 * The preview answers only a browser that holds this launch's key. The link printed in the terminal
 * carries it in the fragment (`#key=…`: never sent in a request, so never in a server log or a
 * Referer); this takes it out of the address bar and history at once, trades it for the preview's
 * HttpOnly cookie, and says whether the bridge now answers (`false`: show "open the link").
 */
export async function unlockPreview(base = ''): Promise<boolean> {
  const key = /^#key=([\w-]+)$/.exec(window.location.hash)?.[1];
  if (key) {
    window.history.replaceState(
      window.history.state,
      '',
      `${window.location.pathname}${window.location.search}#/`,
    );
    try {
      await fetch(`${base}/__preview/session`, {
        method: 'POST',
        headers: { 'X-Preview-Key': key },
        credentials: 'same-origin',
      });
    } catch {
      // The question below gets the same failure and decides.
    }
  }
  try {
    const response = await fetch(`${base}/__bridge/${channelOf.getSession}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ args: [] }),
      credentials: 'same-origin',
    });
    return response.status !== 401;
  } catch {
    // Not answering at all is not a missing key: the app starts and says it is not responding.
    return true;
  }
}

export function createHttpBridge(base = ''): AuthBridge {
  async function post(channel: Channel, args: unknown[]): Promise<Answer> {
    let response: Response;
    try {
      response = await fetch(`${base}/__bridge/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ args }),
        credentials: 'same-origin',
      });
    } catch {
      return { ok: false, error: { code: 'internal', message: NOT_RESPONDING } };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (response.ok && body !== undefined) return { ok: true, body };
    // A host that refuses a request with a contract error (e.g. invalid_request) said something true.
    if (!response.ok && isObject(body) && body.ok === false && isAppError(body.error)) {
      return { ok: false, error: body.error };
    }
    return {
      ok: false,
      error: { code: 'internal', message: NOT_RESPONDING, status: response.status },
    };
  }

  async function invoke<C extends Channel>(
    channel: C,
    ...args: ChannelArgs<C>
  ): Promise<ChannelResponses[C]> {
    const answer = await post(channel, args);
    if (answer.ok) return answer.body as ChannelResponses[C];
    const failed: SessionView | { ok: false; error: AppError } =
      channel === 'session:get'
        ? { status: 'signed-out', persistence: 'encrypted', error: answer.error }
        : { ok: false, error: answer.error };
    return failed as ChannelResponses[C];
  }

  const sessionListeners = new Set<(session: SessionView) => void>();
  const settingsListeners = new Set<() => void>();
  let source: EventSource | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const subscribed = () => sessionListeners.size + settingsListeners.size > 0;

  function deliver(session: SessionView): void {
    for (const listener of [...sessionListeners]) listener(session);
  }

  /** After a dropped stream, events may have been missed: ask for the session as it is now. */
  async function resync(): Promise<void> {
    const answer = await post(channelOf.getSession, []);
    if (answer.ok && isSessionView(answer.body)) deliver(answer.body);
  }

  function openEvents(): void {
    if (typeof EventSource === 'undefined') return;
    const stream = new EventSource(`${base}/__bridge/events`);
    source = stream;
    let dropped = false;
    stream.addEventListener(events['session:changed'], (event) => {
      let session: unknown;
      try {
        session = JSON.parse((event as MessageEvent<string>).data);
      } catch {
        return;
      }
      if (isSessionView(session)) deliver(session);
    });
    // A command, not a state: one missed while the stream was down is not replayed.
    stream.addEventListener(events['app:open-settings'], () => {
      for (const listener of [...settingsListeners]) listener();
    });
    stream.addEventListener('open', () => {
      if (dropped) {
        dropped = false;
        void resync();
      }
    });
    stream.addEventListener('error', () => {
      dropped = true;
      // The browser retries by itself unless the host answered with something other than a stream.
      if (stream.readyState === EventSource.CLOSED && source === stream) {
        source = null;
        retryTimer = setTimeout(() => {
          retryTimer = undefined;
          if (subscribed() && source === null) {
            openEvents();
            void resync();
          }
        }, EVENTS_RETRY_MS);
      }
    });
  }

  /** One event stream for every subscription: opened with the first, closed with the last. */
  function listen<L>(listeners: Set<L>, listener: L): () => void {
    listeners.add(listener);
    if (source === null && retryTimer === undefined) openEvents();
    return () => {
      listeners.delete(listener);
      if (!subscribed()) {
        source?.close();
        source = null;
        clearTimeout(retryTimer);
        retryTimer = undefined;
      }
    };
  }

  return {
    getSession: () => invoke(channelOf.getSession),
    login: () => invoke(channelOf.login),
    signup: () => invoke(channelOf.signup),
    cancel: () => invoke(channelOf.cancel),
    reopen: () => invoke(channelOf.reopen),
    useWay: (way) => invoke(channelOf.useWay, way),
    openCodePage: () => invoke(channelOf.openCodePage),
    copyCode: () => invoke(channelOf.copyCode),
    logout: () => invoke(channelOf.logout),
    endProviderSession: () => invoke(channelOf.endProviderSession),
    getMessage: (kind) => invoke(channelOf.getMessage, kind),
    getSettings: () => invoke(channelOf.getSettings),
    validateSettings: (form) => invoke(channelOf.validateSettings, form),
    checkConnection: (form) => invoke(channelOf.checkConnection, form),
    saveSettings: (form) => invoke(channelOf.saveSettings, form),
    onSessionChanged: (listener) => listen(sessionListeners, listener),
    onOpenSettings: (listener) => listen(settingsListeners, listener),
  };
}
