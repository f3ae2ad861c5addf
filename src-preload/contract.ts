/**
 * The one contract between the renderer and the main process.
 *
 * Every channel is declared once here: its name, the arguments it takes (`ChannelRequests`) and the
 * response it gives (`ChannelResponses`). The Electron IPC bridge, the preview's HTTP bridge and the
 * main-process handler table are all built from these tables, so they cannot drift apart. Responses
 * are data (`{ ok: true, ... }` or `{ ok: false, error }`), never thrown errors: the UI can always
 * show something true. Nothing here ever carries a token.
 *
 * This file has no dependency: the sandboxed preload bundles it whole. The runtime validators (zod)
 * for the arguments are main's business and live beside it in `contract-validators.ts`, keyed by the
 * same channel names (the compiler refuses a channel without one, or one that does not match).
 */

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
  | 'ports_busy'
  | 'code_expired'
  | 'way_unavailable'
  | 'session_expired'
  | 'not_signed_in'
  | 'storage_unreadable'
  | 'storage_not_encrypted'
  /** The saved session could not be deleted (logout, or an outdated record after a failed save). */
  | 'storage_unwritable'
  | 'api_unreachable'
  | 'api_error'
  | 'invalid_request'
  /** The browser preview was opened without its per-launch key (the link printed in the terminal). */
  | 'preview_locked'
  /** Save would switch provider or API and the person did not confirm it (outside the renderer). */
  | 'switch_not_confirmed'
  | 'internal'
  /** A message fetched for one account arrived after the person switched to another (issue 19). */
  | 'account_switched'
  /** MAX_ACCOUNTS accounts are signed in already. */
  | 'accounts_full';

export interface AppError {
  code: ErrorCode;
  /** A sentence a person can read. */
  message: string;
  /** HTTP status, when the error came from an HTTP answer. */
  status?: number;
}

export type Result<T extends object = object> = ({ ok: true } & T) | { ok: false; error: AppError };

export const SESSION_STATUSES = ['restoring', 'signed-out', 'signing-in', 'signed-in'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/**
 * How a pending sign-in comes back to the app: `browser` (the default, RFC 8252 §7.3 loopback
 * redirect), `app-link` (the app's private-use URI scheme, §7.1) or `code` (RFC 8628 device
 * authorization: the user enters a code at the provider, in any browser).
 */
export type SignInWay = 'browser' | 'app-link' | 'code';
/** The ways offered under "Try another way". */
export const OTHER_SIGN_IN_WAYS = ['app-link', 'code'] as const;
export type OtherSignInWay = (typeof OTHER_SIGN_IN_WAYS)[number];

/** What the sign-in code screen shows (RFC 8628 §3.3). Never the device code. */
export interface SignInCodeView {
  /** The short code the user types at the provider, e.g. `BCDF-GHJK`. */
  userCode: string;
  /** Where to type it: the provider's page, http(s) only. */
  verificationUri: string;
  /** When the code stops working, milliseconds since the epoch. */
  expiresAt: number;
  /** True once it has: the screen offers a new code. */
  expired: boolean;
}

/** The pending sign-in, while `signing-in`. */
export interface SignInView {
  /** The way it waits on now; `choose`: none yet (the default way could not start, see `notice`). */
  way: SignInWay | 'choose';
  /** The ways the user may switch to now ("Try another way"). */
  otherWays: OtherSignInWay[];
  /** With way `code`: the code to show. */
  code?: SignInCodeView;
  /** Why the default way is not available (e.g. every callback port is taken). */
  notice?: AppError;
  /** Why "Use the app link" is not offered here (the OS does not hand the scheme to this app). */
  appLinkMissing?: string;
}

/** What every session view carries, whatever its status. */
interface SessionViewBase {
  /** Why the last sign-in, restore or refresh failed, or why the user was signed out. */
  error?: AppError;
  /** `encrypted`: the session is kept across restarts; `memory`: it is not (no OS encryption). */
  persistence: 'encrypted' | 'memory';
  /** Which identity provider the app talks to (the footer says so). */
  provider?: ProviderInfo;
}

/** Reading the saved session at start. */
export interface RestoringView extends SessionViewBase {
  status: 'restoring';
}

export interface SignedOutView extends SessionViewBase {
  status: 'signed-out';
  /**
   * `not-ended` when the last Log Out could not reach the sign-in service, so the session there may
   * still be open (the next Log In asks for the password; the UI offers a retry).
   */
  providerSession?: 'not-ended';
}

export interface SigningInView extends SessionViewBase {
  status: 'signing-in';
  /** Which flow is pending. */
  flow: 'login' | 'signup';
  /** When the app stops waiting for the browser (epoch milliseconds), once the request is out. */
  expiresAt?: number;
  /** The pending sign-in's way and what it shows. */
  signIn: SignInView;
  /**
   * While "Add another account" waits: the accounts signed in already (the active one marked), who
   * stay signed in; Cancel goes back to the active one. Absent for a first sign-in.
   */
  accounts?: AccountSummary[];
}

export interface SignedInView extends SessionViewBase {
  status: 'signed-in';
  /** The active account's ID token claims (never a token). */
  profile: ProfileClaims;
  /** Every account signed in, in the order added; `active` marks the one `profile` is (issue 19). */
  accounts: AccountSummary[];
}

/** One signed-in account as the account menu shows it: its `sub` and a name (never a token). */
export interface AccountSummary {
  sub: string;
  /** The ID token's `name`, else its `email`, else the `sub`. */
  name: string;
  active: boolean;
}

/**
 * What the renderer may know about the session: one shape per status, so the renderer `switch`es on
 * `status` and finds exactly the fields that status has (a profile only when signed in, the way to
 * sign in only while signing in).
 */
export type SessionView = RestoringView | SignedOutView | SigningInView | SignedInView;

/** Whether `value` has the union's shape: each status with the fields the renderer reads for it. */
export function isSessionView(value: unknown): value is SessionView {
  if (typeof value !== 'object' || value === null) return false;
  const view = value as Record<string, unknown>;
  if (typeof view.persistence !== 'string') return false;
  const isObject = (field: unknown) => typeof field === 'object' && field !== null;
  switch (view.status) {
    case 'restoring':
    case 'signed-out':
      return true;
    case 'signed-in':
      return isObject(view.profile) && Array.isArray(view.accounts);
    case 'signing-in':
      return (view.flow === 'login' || view.flow === 'signup') && isObject(view.signIn);
    default:
      return false;
  }
}

/** The settings a person (or the environment, or an organisation's installer) gives the app. */
export const SETTING_NAMES = [
  'AUTH0_DOMAIN',
  'AUTH0_CLIENT_ID',
  'AUTH0_AUDIENCE',
  'API_SERVER_URL',
  'AUTH0_CALLBACK_PORTS',
  'AUTH0_DPOP',
  'AUTH0_REDIRECT_SCHEME',
  'AUTH0_RESOURCE_PARAMETER',
  /** How requests reach the network (issue 18): `system` (default), `none`, or a proxy URL. */
  'PROXY',
  'MAX_ACCOUNTS',
] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

/** The Settings page's label for each setting; the form's messages start with it. */
export const SETTING_LABELS: Readonly<Record<SettingName, string>> = {
  AUTH0_DOMAIN: 'Domain',
  AUTH0_CLIENT_ID: 'Client ID',
  AUTH0_AUDIENCE: 'Audience',
  API_SERVER_URL: 'API server URL',
  AUTH0_CALLBACK_PORTS: 'Callback ports',
  AUTH0_DPOP: 'Use DPoP',
  AUTH0_REDIRECT_SCHEME: 'App link scheme',
  AUTH0_RESOURCE_PARAMETER: 'Resource parameter',
  PROXY: 'Proxy',
  MAX_ACCOUNTS: 'Maximum accounts',
};

/**
 * How the Audience is sent to the provider (`AUTH0_RESOURCE_PARAMETER`): Auth0's `audience`, RFC 8707's
 * `resource`, or both. Default: `audience` on an Auth0 domain, `both` elsewhere.
 */
export const RESOURCE_PARAMETERS = ['audience', 'resource', 'both'] as const;
export type ResourceParameter = (typeof RESOURCE_PARAMETERS)[number];

/** `demo`: the built-in demo provider (the devstack); `tenant`: the settings' own provider. */
export type ProviderKind = 'demo' | 'tenant';

export interface ProviderInfo {
  /** `none`: not configured (a bad value the app cannot use; the Settings page says which). */
  kind: ProviderKind | 'none';
  /** Its host (`dev-x.us.auth0.com`), or "Built-in demo provider", or "Not configured". */
  label: string;
  /** Where the choice comes from: `saved` is the Settings page's (a failed Log In points there). */
  source?: SettingSource;
}

/** The Settings page's form: which provider, and the tenant's settings as typed (DPoP: "true"/"false"). */
export interface SettingsForm {
  provider: ProviderKind;
  values: Partial<Record<SettingName, string>>;
}

/** Where a value comes from, first match wins; `environment` and `managed` are read-only in the UI. */
export type SettingSource = 'environment' | 'managed' | 'saved' | 'default';

/** A message per invalid setting, naming it. */
export type FieldErrors = Partial<Record<SettingName, string>>;

/** What to register at the provider for these settings (Auth0 matches callback ports exactly). */
export interface Registration {
  callbackUrls: string[];
  logoutUrls: string[];
  /** The app link's redirect URI (`<scheme>:/callback`), an Allowed Callback URL too (RFC 8252 §7.1). */
  appLinkUrl?: string;
  /** E.g. an Auth0 domain without a fixed callback port. */
  warning?: string;
}

/** The fields that can hold the built-in demo provider's own addresses (its issuer, its API). */
export type DemoAddressField = Extract<SettingName, 'AUTH0_DOMAIN' | 'API_SERVER_URL'>;

export interface SettingsView {
  /** The values in use (or saved), as the form shows them. */
  form: SettingsForm;
  /** Where each value comes from. */
  sources: { provider: SettingSource } & Partial<Record<SettingName, SettingSource>>;
  /** What the running app talks to now. */
  active: ProviderInfo;
  /** Why the app is not configured, when it is not. */
  problem?: AppError;
  /** Field messages for `form` (a bad value from the environment or the managed file). */
  errors: FieldErrors;
  registration: Registration;
  /** `false`: the organisation's app-config.json switched the built-in demo provider off. */
  demoAllowed?: boolean;
  /**
   * Fields of a "Your Auth0 tenant" form that hold the running built-in demo provider's addresses
   * (the page suggests choosing that provider instead).
   */
  demoAddresses?: DemoAddressField[];
  /**
   * False while a value from the environment or the managed file is one the app cannot use (or the
   * managed file itself is broken): nothing saved here could fix that, so the page offers no Save.
   */
  canSave: boolean;
  /**
   * Saving `form` switches the app to other provider settings, which signs you out; false when it
   * changes only what applies without a switch (the proxy). Absent: assume it signs you out.
   */
  saveEndsSession?: boolean;
  /**
   * Why the system's proxy settings, which `form` uses, cannot be used (a malformed HTTPS_PROXY or
   * HTTP_PROXY in the environment), and what the app does instead: Settings → Network shows it.
   */
  networkProblem?: string;
}

/** The answer about a form as typed (`settings:validate`, and part of SettingsView). */
export type FormCheck = Pick<
  SettingsView,
  'errors' | 'registration' | 'demoAddresses' | 'saveEndsSession' | 'networkProblem'
>;

/** One line of Check connection. */
export interface ConnectionCheckLine {
  name: string;
  passed: boolean;
  /** Not run because a check it needs failed (discovery): neither passed nor counted as failed. */
  skipped?: boolean;
  /** Why it passed or failed, in a sentence. */
  detail: string;
  /** The network error's code behind a failure (ECONNREFUSED, ENOTFOUND, timeout), for small print. */
  code?: string;
  /**
   * How its request went: "direct", "direct (loopback)", "via proxy host:port", or in Electron with
   * the system's settings "via system proxy settings: host:port" (their proxy, PAC script or WPAD).
   */
  route?: string;
}

export const MESSAGE_KINDS = ['public', 'protected', 'admin'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** What the Hello World API answered. */
export interface ApiMessage {
  text: string;
}

/**
 * The second half of Log Out: `opened` the provider's logout page in the browser; `unreachable` the
 * sign-in service could not be reached (its session may still be open); `none` nothing to end there.
 */
export type ProviderLogoutResult = 'opened' | 'unreachable' | 'none';

/**
 * How the refresh token's revocation went at Log Out, when the person must know: `refused` the
 * provider would not revoke it for a public client (RFC 7009 §2.1), so it stays valid there until
 * it expires.
 */
export type RevocationResult = 'refused';

/** Every request channel: name → the arguments it takes (validated in main: contract-validators.ts). */
export interface ChannelRequests {
  'session:get': [];
  'auth:login': [];
  'auth:signup': [];
  'auth:cancel': [];
  'auth:reopen': [];
  'auth:use-way': [way: OtherSignInWay];
  'auth:open-code-page': [];
  'auth:copy-code': [];
  'auth:copy-sign-in-link': [];
  'auth:logout': [];
  'auth:end-provider-session': [];
  'messages:get': [kind: MessageKind];
  'settings:get': [];
  'settings:validate': [form: SettingsForm];
  'settings:check': [form: SettingsForm];
  'settings:save': [form: SettingsForm];
  'updates:get': [];
  'updates:check': [];
  'updates:restart': [];
  'accounts:add': [];
  'accounts:switch': [sub: string];
  'accounts:sign-out': [sub: string];
}

export type Channel = keyof ChannelRequests;
export type ChannelArgs<C extends Channel> = ChannelRequests[C];

/** What each channel answers: the same names as `ChannelRequests` (checked below). */
export interface ChannelResponses {
  'session:get': SessionView;
  /** Resolves once the sign-in has finished (or failed, or was cancelled). */
  'auth:login': Result<{ session: SessionView }>;
  'auth:signup': Result<{ session: SessionView }>;
  'auth:cancel': Result;
  /** Opens the pending sign-in's page again. */
  'auth:reopen': Result;
  /** Always succeeds locally; says whether the provider's session could be ended too. */
  'auth:logout': Result<{
    session: SessionView;
    providerLogout: ProviderLogoutResult;
    revocation?: RevocationResult;
  }>;
  /** Tries again to end the provider's session after a logout that could not reach it. */
  'auth:end-provider-session': Result<{
    session: SessionView;
    providerLogout: ProviderLogoutResult;
    revocation?: RevocationResult;
  }>;
  /**
   * Switches the pending sign-in to another way (cancelling the current one; `code` again: a new
   * code). The pending `auth:login`/`auth:signup` call answers when the sign-in ends, whichever way;
   * the new way's views arrive as `session:changed` events.
   */
  'auth:use-way': Result;
  /** Opens the sign-in code page in the system browser (the code stays on screen to compare). */
  'auth:open-code-page': Result;
  /**
   * Puts the sign-in code shown now on the clipboard, from main (the renderer cannot choose the text).
   * `way_unavailable` where the host has no clipboard of its own (the preview outside its test mode:
   * the page copies it).
   */
  'auth:copy-code': Result;
  /**
   * "Copy sign-in link" (issue 19): puts the pending sign-in's page (the authorization URL) on the
   * clipboard from main, to finish in another browser or profile; the URL never comes back here.
   * Good once, while the sign-in waits: `invalid_request` once it completed, was cancelled, timed
   * out or a callback came back; `way_unavailable` where the host has no clipboard of its own.
   */
  'auth:copy-sign-in-link': Result;
  'messages:get': Result<{ data: ApiMessage }>;
  'settings:get': Result<{ settings: SettingsView }>;
  /** The form checked by the same parser as the environment, and what to register for it. */
  'settings:validate': Result<FormCheck>;
  /** Runs without signing in; `ms`: how long the whole check took. */
  'settings:check': Result<{ checks: ConnectionCheckLine[]; ms: number }>;
  /**
   * Saves; when the provider settings changed (`saveEndsSession`), ends the session (revoked at the
   * old provider) and switches the running app to the new one; a proxy change keeps the session.
   */
  'settings:save': Result<{ settings: SettingsView; session: SessionView }>;
  /** Settings → Updates: this version, the last check's result, the administrator's settings. */
  'updates:get': Result<{ updates: UpdateView }>;
  /**
   * "Check for updates": answers at once (the state is `checking`, or why nothing is asked); what
   * the check finds, the download's progress and "ready" arrive as `updates:changed` events.
   */
  'updates:check': Result<{ updates: UpdateView }>;
  /**
   * "Restart to update": restarts now, or, while a sign-in, a sign-in code or a logout is pending,
   * answers `waiting-to-restart` (what it waits for) and restarts when that has ended.
   */
  'updates:restart': Result<{ updates: UpdateView }>;
  /**
   * "Add another account" (issue 19): a sign-in with the provider's login page; resolves once it
   * ends. `notice`: the account was already added, so it was updated and made active instead.
   */
  'accounts:add': Result<{ session: SessionView; notice?: string }>;
  /** Makes another account active: no browser, no network. */
  'accounts:switch': Result<{ session: SessionView }>;
  /** Signs out of one account (its refresh token revoked, no browser); the next becomes active. */
  'accounts:sign-out': Result<{ session: SessionView }>;
}

/** Compile-time only: `ChannelRequests` and `ChannelResponses` name exactly the same channels. */
type SameKeys<A, B> = [keyof A] extends [keyof B]
  ? [keyof B] extends [keyof A]
    ? true
    : false
  : false;
type AssertTrue<T extends true> = T;
type _EveryChannelAnswers = AssertTrue<SameKeys<ChannelRequests, ChannelResponses>>;

/** Events main sends to the renderer. */
export const events = {
  'session:changed': 'session:changed',
  /** The application menu's Settings… item (CmdOrCtrl+,) was chosen: show the Settings page. */
  'app:open-settings': 'app:open-settings',
  /** Updates: a check's result, a download's progress, ready, waiting to restart. */
  'updates:changed': 'updates:changed',
} as const;

export interface EventPayloads {
  'session:changed': SessionView;
  /** Carries nothing: the event itself is the whole message. */
  'app:open-settings': null;
  'updates:changed': UpdateView;
}
export type EventName = keyof EventPayloads;

/** The API the renderer sees as `window.auth`, the same over IPC (Electron) and HTTP (preview). */
export interface AuthBridge {
  getSession(): Promise<SessionView>;
  login(): Promise<ChannelResponses['auth:login']>;
  signup(): Promise<ChannelResponses['auth:signup']>;
  cancel(): Promise<ChannelResponses['auth:cancel']>;
  reopen(): Promise<ChannelResponses['auth:reopen']>;
  useWay(way: OtherSignInWay): Promise<ChannelResponses['auth:use-way']>;
  openCodePage(): Promise<ChannelResponses['auth:open-code-page']>;
  copyCode(): Promise<ChannelResponses['auth:copy-code']>;
  copySignInLink(): Promise<ChannelResponses['auth:copy-sign-in-link']>;
  logout(): Promise<ChannelResponses['auth:logout']>;
  endProviderSession(): Promise<ChannelResponses['auth:end-provider-session']>;
  getMessage(kind: MessageKind): Promise<ChannelResponses['messages:get']>;
  getSettings(): Promise<ChannelResponses['settings:get']>;
  validateSettings(form: SettingsForm): Promise<ChannelResponses['settings:validate']>;
  checkConnection(form: SettingsForm): Promise<ChannelResponses['settings:check']>;
  saveSettings(form: SettingsForm): Promise<ChannelResponses['settings:save']>;
  /** Subscribe to session changes; returns the unsubscribe function. */
  onSessionChanged(listener: (session: SessionView) => void): () => void;
  /** Subscribe to the menu's Settings… command; returns the unsubscribe function. */
  onOpenSettings(listener: () => void): () => void;
  getUpdates(): Promise<ChannelResponses['updates:get']>;
  checkForUpdates(): Promise<ChannelResponses['updates:check']>;
  restartToUpdate(): Promise<ChannelResponses['updates:restart']>;
  addAccount(): Promise<ChannelResponses['accounts:add']>;
  switchAccount(sub: string): Promise<ChannelResponses['accounts:switch']>;
  signOutAccount(sub: string): Promise<ChannelResponses['accounts:sign-out']>;
  /** Subscribe to update changes; returns the unsubscribe function. */
  onUpdatesChanged(listener: (updates: UpdateView) => void): () => void;
}

/** The bridge methods that subscribe to an event rather than invoke a channel, with their event. */
export const bridgeSubscriptions = {
  onSessionChanged: 'session:changed',
  onOpenSettings: 'app:open-settings',
  onUpdatesChanged: 'updates:changed',
} as const satisfies Record<string, EventName>;
export type BridgeSubscription = keyof typeof bridgeSubscriptions;
/** The bridge methods that invoke a channel. */
export type BridgeInvokers = Omit<AuthBridge, BridgeSubscription>;

/** Maps bridge methods to channels, so both bridges build `AuthBridge` the same way. */
export const bridgeMethods = {
  getSession: 'session:get',
  login: 'auth:login',
  signup: 'auth:signup',
  cancel: 'auth:cancel',
  reopen: 'auth:reopen',
  useWay: 'auth:use-way',
  openCodePage: 'auth:open-code-page',
  copyCode: 'auth:copy-code',
  copySignInLink: 'auth:copy-sign-in-link',
  logout: 'auth:logout',
  endProviderSession: 'auth:end-provider-session',
  getMessage: 'messages:get',
  getSettings: 'settings:get',
  validateSettings: 'settings:validate',
  checkConnection: 'settings:check',
  saveSettings: 'settings:save',
  getUpdates: 'updates:get',
  checkForUpdates: 'updates:check',
  restartToUpdate: 'updates:restart',
  addAccount: 'accounts:add',
  switchAccount: 'accounts:switch',
  signOutAccount: 'accounts:sign-out',
} as const satisfies Record<keyof BridgeInvokers, Channel>;

/** Every member of `window.auth`, sorted: the channel invokers and the event subscriptions. */
export function bridgeKeys(): string[] {
  return [...Object.keys(bridgeMethods), ...Object.keys(bridgeSubscriptions)].sort();
}

/* Updates (issue 20) ------------------------------------------------------------------------- */

/** What a restart to update must wait for: the session says which is pending. */
export type PendingActivity = 'sign-in' | 'sign-in-code' | 'logout';

/** Where the switch that turned updates off was set: the managed app-config.json or the environment. */
export type UpdateSwitchSource = 'managed' | 'environment';

export type UpdateRefusal =
  /** The feed's metadata carries no signature. */
  | 'unsigned'
  /** A signature that does not verify: changed after signing, or another key. */
  | 'bad-signature'
  /** The download does not match the signed sha512. */
  | 'checksum';

/**
 * What the app knows about updates: one state at a time, keyed by `kind`, set in one place (the
 * core's UpdateService), so Settings → Updates switches on `kind` and never guesses from optional
 * fields.
 */
export type UpdateState =
  /** AUTO_UPDATE=false: the feed is never asked anything. */
  | { kind: 'off'; source: UpdateSwitchSource }
  /** No feed URL (or no key to check it with) in this build. */
  | { kind: 'not-set-up'; missing: 'UPDATE_FEED_URL' | 'UPDATE_PUBLIC_KEY' }
  /** An update setting the app cannot use; the message names it. */
  | { kind: 'misconfigured'; setting: string; message: string }
  /** A .deb (or other package) install: its package manager updates it. */
  | { kind: 'package-manager' }
  /** Not an installed app (a development run): nothing to replace. */
  | { kind: 'not-installed' }
  | { kind: 'idle' }
  | { kind: 'checking' }
  | {
      kind: 'up-to-date';
      checkedAt: string;
      /** What the feed offers when that is not this version. */
      latest?: string;
      /**
       * Why `latest` is not offered: older than this version, not yet for this installation, or not
       * for this OS version.
       */
      heldBack?: 'older' | 'staged' | 'system';
    }
  | { kind: 'available'; version: string }
  | { kind: 'downloading'; version: string; percent: number; transferred: number; total: number }
  | { kind: 'ready'; version: string }
  | { kind: 'waiting-to-restart'; version: string; waitingFor: PendingActivity }
  | { kind: 'restarting'; version: string }
  | { kind: 'refused'; reason: UpdateRefusal; version?: string; message: string }
  | { kind: 'failed'; during: 'check' | 'download' | 'install'; message: string };

/** Where an update setting comes from: an administrator's (environment, app-config.json) or the build's. */
export type UpdateSettingSource = 'environment' | 'managed' | 'build';

/** An administrator's update setting as Settings → Updates shows it: read-only, with its source. */
export interface UpdateSettingView {
  name: 'AUTO_UPDATE' | 'UPDATE_FEED_URL';
  value: string;
  source: UpdateSettingSource;
}

export interface UpdateView {
  /**
   * Counts the changes: an answer and an event may arrive out of order (the preview carries them on
   * two connections), so the renderer keeps the view with the highest revision.
   */
  revision: number;
  /** This app's version. */
  currentVersion: string;
  state: UpdateState;
  /** The administrator's settings in use (none set: empty). */
  settings: UpdateSettingView[];
}
