/**
 * The preview's bridge: the same `AuthBridge` the Electron preload exposes, carried over HTTP and
 * server-sent events instead of IPC, so the renderer cannot tell which host it runs in.
 *
 * - request: `POST {base}/__bridge/{channel}` with `{"args":[...]}`; the answer is the channel's
 *   response type from the contract.
 * - events: one stream from `{base}/__bridge/events` (server-sent events read with fetch, so it can
 *   carry the key): `session:changed` (data: a SessionView), `app:open-settings` (data: null; the
 *   preview sends it when a test stands in for the app menu) and `updates:changed` (data: an
 *   UpdateView).
 * - every request carries this launch's key in `X-Preview-Key`; nothing relies on a cookie.
 *
 * Like the contract's responses, nothing here throws or rejects: when the host does not answer, the
 * caller gets `{ ok: false, error }` (or, for `getSession`, a signed-out view carrying the error), so
 * the UI can always show something true.
 */
import {
  bridgeMethods as channelOf,
  events,
  isSessionView,
  type AppError,
  type AuthBridge,
  type Channel,
  type ChannelArgs,
  type ChannelResponses,
  type SessionView,
  type UpdateView,
} from './contract.ts';

const NOT_RESPONDING = 'The app is not responding. Try again in a moment.';
/** How long to wait before reopening an event stream the browser gave up on. */
const EVENTS_RETRY_MS = 2000;

type Answer = { ok: true; body: unknown } | { ok: false; error: AppError };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isUpdateView(value: unknown): value is UpdateView {
  return (
    isObject(value) &&
    typeof value.revision === 'number' &&
    typeof value.currentVersion === 'string' &&
    isObject(value.state) &&
    typeof value.state.kind === 'string' &&
    Array.isArray(value.settings)
  );
}

function isAppError(value: unknown): value is AppError {
  return isObject(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

/** Where the page keeps the key: this tab's sessionStorage, which no other origin (port) can read. */
const KEY_ITEM = 'preview-key';

/**
 * The preview answers only a browser that holds this launch's key. The link printed in the terminal
 * carries it in the fragment (`#key=…`: never sent in a request, so never in a server log or a
 * Referer); this takes it out of the address bar and history at once and keeps it in this tab's
 * sessionStorage (a reload or another page of the app in this tab still has it; no other origin,
 * and no other port of 127.0.0.1, can read it). No cookie: a cookie would go to every port (N3).
 */
export function takePreviewKey(): string | undefined {
  const fromLink = /^#key=([\w-]+)$/.exec(window.location.hash)?.[1];
  if (fromLink) {
    window.history.replaceState(
      window.history.state,
      '',
      `${window.location.pathname}${window.location.search}#/`,
    );
    try {
      window.sessionStorage.setItem(KEY_ITEM, fromLink);
    } catch {
      // Storage switched off: the key lives in this page's memory only (a reload needs the link).
    }
    return fromLink;
  }
  try {
    return window.sessionStorage.getItem(KEY_ITEM) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Whether the preview answers this key (`false`: show "open the link"). */
export async function keyOpensPreview(key: string, base = ''): Promise<boolean> {
  try {
    const response = await fetch(`${base}/__bridge/${channelOf.getSession}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Preview-Key': key },
      body: JSON.stringify({ args: [] }),
      credentials: 'omit',
    });
    return response.status !== 401;
  } catch {
    // Not answering at all is not a missing key: the app starts and says it is not responding.
    return true;
  }
}

/**
 * `onLocked` runs once when the preview refuses this key (401): it was restarted with a new key, so
 * nothing this page sends will work again (issue 22, L13: the page used to keep failing quietly).
 */
export function createHttpBridge(key: string, base = '', onLocked?: () => void): AuthBridge {
  let locked = false;
  function refused(status: number): void {
    if (status !== 401 || locked) return;
    locked = true;
    source?.abort();
    clearTimeout(retryTimer);
    onLocked?.();
  }

  async function post(channel: Channel, args: unknown[]): Promise<Answer> {
    let response: Response;
    try {
      response = await fetch(`${base}/__bridge/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Preview-Key': key },
        body: JSON.stringify({ args }),
        credentials: 'omit',
      });
    } catch {
      return { ok: false, error: { code: 'internal', message: NOT_RESPONDING } };
    }
    refused(response.status);
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
  const updatesListeners = new Set<(updates: UpdateView) => void>();
  /** The open stream's abort switch; null while none is open. */
  let source: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const subscribed = () =>
    sessionListeners.size + settingsListeners.size + updatesListeners.size > 0;

  function deliver(session: SessionView): void {
    for (const listener of [...sessionListeners]) listener(session);
  }

  /** After a dropped stream, events may have been missed: ask for the session and updates now. */
  async function resync(): Promise<void> {
    const answer = await post(channelOf.getSession, []);
    if (answer.ok && isSessionView(answer.body)) deliver(answer.body);
    if (updatesListeners.size === 0) return;
    const updates = await post(channelOf.getUpdates, []);
    if (updates.ok && isObject(updates.body) && isUpdateView(updates.body.updates))
      for (const listener of [...updatesListeners]) listener(updates.body.updates);
  }

  function dispatch(name: string, data: string): void {
    if (name === events['session:changed']) {
      let session: unknown;
      try {
        session = JSON.parse(data);
      } catch {
        return;
      }
      if (isSessionView(session)) deliver(session);
    } else if (name === events['updates:changed']) {
      let updates: unknown;
      try {
        updates = JSON.parse(data);
      } catch {
        return;
      }
      if (isUpdateView(updates)) for (const listener of [...updatesListeners]) listener(updates);
    } else if (name === events['app:open-settings']) {
      // A command, not a state: one missed while the stream was down is not replayed.
      for (const listener of [...settingsListeners]) listener();
    }
  }

  /**
   * The event stream, read with fetch so it can carry the key's header (EventSource cannot send
   * headers): server-sent event frames (`event: …`, `data: …`, a blank line) from the body.
   */
  function openEvents(reopened = false): void {
    const stream = new AbortController();
    source = stream;
    void (async () => {
      try {
        const response = await fetch(`${base}/__bridge/events`, {
          headers: { Accept: 'text/event-stream', 'X-Preview-Key': key },
          credentials: 'omit',
          cache: 'no-store',
          signal: stream.signal,
        });
        refused(response.status);
        if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
        if (reopened) void resync();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let name = 'message';
            const data: string[] = [];
            for (const line of frame.split('\n')) {
              if (line.startsWith('event:')) name = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
            }
            dispatch(name, data.join('\n'));
          }
        }
      } catch {
        // Refused, dropped or closed: decided below.
      }
      if (source !== stream || stream.signal.aborted || locked) return;
      // The host went away or answered with something other than a stream: try again in a moment.
      source = null;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        if (subscribed() && source === null) openEvents(true);
      }, EVENTS_RETRY_MS);
    })();
  }

  /** One event stream for every subscription: opened with the first, closed with the last. */
  function listen<L>(listeners: Set<L>, listener: L): () => void {
    listeners.add(listener);
    if (source === null && retryTimer === undefined) openEvents();
    return () => {
      listeners.delete(listener);
      if (!subscribed()) {
        source?.abort();
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
    copySignInLink: () => invoke(channelOf.copySignInLink),
    logout: () => invoke(channelOf.logout),
    endProviderSession: () => invoke(channelOf.endProviderSession),
    getMessage: (kind) => invoke(channelOf.getMessage, kind),
    getSettings: () => invoke(channelOf.getSettings),
    validateSettings: (form) => invoke(channelOf.validateSettings, form),
    checkConnection: (form) => invoke(channelOf.checkConnection, form),
    saveSettings: (form) => invoke(channelOf.saveSettings, form),
    onSessionChanged: (listener) => listen(sessionListeners, listener),
    onOpenSettings: (listener) => listen(settingsListeners, listener),
    getUpdates: () => invoke(channelOf.getUpdates),
    checkForUpdates: () => invoke(channelOf.checkForUpdates),
    restartToUpdate: () => invoke(channelOf.restartToUpdate),
    addAccount: () => invoke(channelOf.addAccount),
    switchAccount: (sub) => invoke(channelOf.switchAccount, sub),
    signOutAccount: (sub) => invoke(channelOf.signOutAccount, sub),
    onUpdatesChanged: (listener) => listen(updatesListeners, listener),
  };
}
