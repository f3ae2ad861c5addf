/**
 * The one contract between the renderer and the main process.
 *
 * Every channel is declared once here: its name, the request it takes (with a runtime validator),
 * and the response it gives. The Electron IPC bridge, the preview's HTTP bridge and the main-process
 * handler table are all built from this table, so they cannot drift apart. Responses are data
 * (`{ ok: true, ... }` or `{ ok: false, error }`), never thrown errors: the UI can always show
 * something true. Nothing here ever carries a token.
 */
import { z } from 'zod';

/** Claims of the ID token that the Profile page shows. Public by nature; never a token. */
export type ProfileClaims = Record<string, unknown> & {
  sub: string;
  name?: string;
  nickname?: string;
  picture?: string;
  email?: string;
  email_verified?: boolean;
  updated_at?: string | number;
};

export type ErrorCode =
  | 'config_invalid'
  | 'provider_unreachable'
  | 'provider_error'
  | 'access_denied'
  | 'callback_invalid'
  | 'sign_in_cancelled'
  | 'sign_in_timeout'
  | 'sign_in_in_progress'
  | 'ports_busy'
  | 'session_expired'
  | 'not_signed_in'
  | 'storage_unreadable'
  | 'storage_not_encrypted'
  | 'api_unreachable'
  | 'api_error'
  | 'invalid_request'
  | 'internal';

export interface AppError {
  code: ErrorCode;
  /** A sentence a person can read. */
  message: string;
  /** HTTP status, when the error came from an HTTP answer. */
  status?: number;
}

export type Result<T extends object = object> = ({ ok: true } & T) | { ok: false; error: AppError };

export type SessionStatus = 'restoring' | 'signed-out' | 'signing-in' | 'signed-in';

/** What the renderer may know about the session. */
export interface SessionView {
  status: SessionStatus;
  /** Which flow is pending while `signing-in`. */
  flow?: 'login' | 'signup';
  /** ID token claims while `signed-in`. */
  profile?: ProfileClaims;
  /** Why the last sign-in, restore or refresh failed, or why the user was signed out. */
  error?: AppError;
  /** `encrypted`: the session is kept across restarts; `memory`: it is not (no OS encryption). */
  persistence: 'encrypted' | 'memory';
}

export const MESSAGE_KINDS = ['public', 'protected', 'admin'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** What the Hello World API answered. */
export interface ApiMessage {
  text: string;
}

const noArgs = z.tuple([]);

/** Every request channel: name → [argument validator]. Response types are in `ChannelResponses`. */
export const channels = {
  'session:get': noArgs,
  'auth:login': noArgs,
  'auth:signup': noArgs,
  'auth:cancel': noArgs,
  'auth:logout': noArgs,
  'messages:get': z.tuple([z.enum(MESSAGE_KINDS)]),
} as const;

export type Channel = keyof typeof channels;
export type ChannelArgs<C extends Channel> = z.infer<(typeof channels)[C]>;

export interface ChannelResponses {
  'session:get': SessionView;
  /** Resolves once the sign-in has finished (or failed, or was cancelled). */
  'auth:login': Result<{ session: SessionView }>;
  'auth:signup': Result<{ session: SessionView }>;
  'auth:cancel': Result;
  /** Always succeeds locally; the provider's logout page is opened in the system browser. */
  'auth:logout': Result<{ session: SessionView }>;
  'messages:get': Result<{ data: ApiMessage }>;
}

/** Events main sends to the renderer. */
export const events = {
  'session:changed': 'session:changed',
} as const;

export interface EventPayloads {
  'session:changed': SessionView;
}
export type EventName = keyof EventPayloads;

/** The API the renderer sees as `window.auth`, the same over IPC (Electron) and HTTP (preview). */
export interface AuthBridge {
  getSession(): Promise<SessionView>;
  login(): Promise<ChannelResponses['auth:login']>;
  signup(): Promise<ChannelResponses['auth:signup']>;
  cancel(): Promise<ChannelResponses['auth:cancel']>;
  logout(): Promise<ChannelResponses['auth:logout']>;
  getMessage(kind: MessageKind): Promise<ChannelResponses['messages:get']>;
  /** Subscribe to session changes; returns the unsubscribe function. */
  onSessionChanged(listener: (session: SessionView) => void): () => void;
}

/** Maps bridge methods to channels, so both bridges build `AuthBridge` the same way. */
export const bridgeMethods = {
  getSession: 'session:get',
  login: 'auth:login',
  signup: 'auth:signup',
  cancel: 'auth:cancel',
  logout: 'auth:logout',
  getMessage: 'messages:get',
} as const satisfies Record<Exclude<keyof AuthBridge, 'onSessionChanged'>, Channel>;

/** Validates a channel name and its arguments from an untrusted sender. */
export function parseRequest(
  channel: unknown,
  args: unknown,
): { ok: true; channel: Channel; args: unknown[] } | { ok: false; error: AppError } {
  if (typeof channel !== 'string' || !Object.hasOwn(channels, channel)) {
    return { ok: false, error: { code: 'invalid_request', message: 'Unknown request.' } };
  }
  const parsed = channels[channel as Channel].safeParse(args);
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid_request', message: `Invalid arguments for ${channel}.` } };
  }
  return { ok: true, channel: channel as Channel, args: parsed.data as unknown[] };
}
