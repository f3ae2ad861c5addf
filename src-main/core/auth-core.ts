/**
 * One core bound to one provider: the session and the message API behind the contract's session
 * channels, as a handler table (one entry per channel, typed by the contract). The host (host.ts)
 * adds the Settings channels and swaps cores when the provider changes.
 */
import type {
  Channel,
  ChannelResponses,
  MessageKind,
  OtherSignInWay,
  SessionView,
} from '../../src-preload/contract.ts';
import { parseRequest } from '../../src-preload/contract-validators.ts';
import type { AppConfig } from './config.ts';
import { ERROR_SENTENCES, toAppError } from './errors.ts';
import { MessageService } from './messages.ts';
import { bindProviderFetch } from './oidc.ts';
import type { CorePlatform } from './platform.ts';
import { redactingLogger } from './redact.ts';
import { SessionManager, type SessionOptions } from './session.ts';

export interface AuthCore {
  /** Runs one request from the renderer: validates channel + args, never throws, never returns a token. */
  handle(channel: unknown, args: unknown): Promise<ChannelResponses[SessionChannel]>;
  /** What the renderer may see right now. */
  view(): SessionView;
  /** Reads the vault at start: signed in again without a browser when it can be. */
  restore(): Promise<void>;
  /** Cancels a pending sign-in and closes the loopback receivers. */
  close(): Promise<void>;
  readonly session: SessionManager;
  readonly messages: MessageService;
}

/** The Settings page's channels: the host answers them (host.ts), not a core bound to one provider. */
export type SettingsChannel = Extract<Channel, `settings:${string}`>;
/** Updates (issue 20): the host answers them too, for the app's life whichever provider runs. */
export type UpdatesChannel = Extract<Channel, `updates:${string}`>;
export type SessionChannel = Exclude<Channel, SettingsChannel | UpdatesChannel>;
/** What any channel answers (a host's `handle` answers every channel of the contract). */
export type ChannelResponse = ChannelResponses[Channel];

type Handlers = {
  [C in SessionChannel]: (...args: never[]) => Promise<ChannelResponses[C]> | ChannelResponses[C];
};

export function createAuthCore(
  config: AppConfig,
  hostPlatform: CorePlatform,
  options: SessionOptions = {},
): AuthCore {
  // Every core log line passes through redaction (redact.ts): whatever a call passes, no token is logged.
  const platform: CorePlatform = { ...hostPlatform, log: redactingLogger(hostPlatform.log) };
  // One transport for every request: the provider's through openid-client, the API's through axios.
  bindProviderFetch(config, platform.transport.fetchFor('AUTH0_DOMAIN'));
  const session = new SessionManager(config, platform, options);
  const messages = new MessageService(
    config.apiServerUrl,
    session,
    platform.transport.fetchFor('API_SERVER_URL'),
    platform.log,
  );
  // The handler table: one entry per channel of the contract (the type makes a missing one an error).
  const handlers: Handlers = {
    'session:get': () => session.view(),
    'auth:login': () => session.login(),
    'auth:signup': () => session.signup(),
    'auth:cancel': () => session.cancel(),
    'auth:reopen': () => session.reopen(),
    'auth:use-way': (way: OtherSignInWay) => session.useWay(way),
    'auth:open-code-page': () => session.openCodePage(),
    'auth:copy-code': () => session.copyCode(),
    'auth:copy-sign-in-link': () => session.copySignInLink(),
    'auth:logout': () => session.logout(),
    'auth:end-provider-session': () => session.endProviderSession(),
    'messages:get': (kind: MessageKind) => messages.get(kind),
    'accounts:add': () => session.addAccount(),
    'accounts:switch': (sub: string) => session.switchTo(sub),
    'accounts:sign-out': (sub: string) => session.signOutAccount(sub),
  };
  return {
    session,
    messages,
    async handle(channel, args) {
      const request = parseRequest(channel, args);
      if (!request.ok) return { ok: false, error: request.error };
      if (!Object.hasOwn(handlers, request.channel))
        return { ok: false, error: { code: 'invalid_request', message: 'Unknown request.' } };
      try {
        const handler = handlers[request.channel as SessionChannel] as (
          ...args: unknown[]
        ) => Promise<ChannelResponses[SessionChannel]> | ChannelResponses[SessionChannel];
        return await handler(...request.args);
      } catch (error) {
        // Handlers answer with data; this is the last line so the renderer still gets an answer.
        platform.log?.error('handler failed', {
          channel: request.channel,
          error: toAppError(error, platform.log).code,
        });
        return { ok: false, error: { code: 'internal', message: ERROR_SENTENCES.internal } };
      }
    },
    view: () => session.view(),
    restore: () => session.restore(),
    close: () => session.close(),
  };
}
