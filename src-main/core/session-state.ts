/**
 * The session as explicit states: restoring, signed out, signing in (one way or another), signed
 * in. `SessionManager` (session.ts) holds one `SessionState` and moves between them with `moveTo`,
 * which stores the new state and emits its view; what the renderer may see is `viewOf`, a pure
 * function of the state and three facts from outside it (test/unit/session-state.test.ts).
 */
import type {
  AccountSummary,
  AppError,
  OtherSignInWay,
  ProfileClaims,
  SessionView,
  SignInCodeView,
  SignInView,
  SignInWay,
} from '../../src-preload/contract.ts';
import type { AuthorizationMode } from './oidc.ts';
import type { TokenSet } from './vault.ts';

/** The two ways on which the browser comes back to the app with a code (RFC 8252 §7.1, §7.3). */
export type RedirectWay = Extract<SignInWay, 'browser' | 'app-link'>;

/** The loopback (`browser`) or the app link: the page it opens and when it stops waiting. */
export interface RedirectWayState {
  way: RedirectWay;
  /** The authorization URL once built; a second Log In or Reopen opens it again. */
  url?: string;
  /** When the app stops waiting for the browser (epoch ms), once the request is out. */
  expiresAt?: number;
}

/** Sign in with a code (RFC 8628): the code shown and the provider's page for it. */
export interface CodeWayState {
  way: 'code';
  /** The code on screen; while a new one is asked for, the old one stays until it arrives. */
  code?: SignInCodeView;
  /** The page that carries the code (never the device code); none once the code expired. */
  page?: string;
}

/** No way yet: the default one could not start (`notice` says why) and the person picks another. */
export interface ChooseWayState {
  way: 'choose';
  notice: AppError;
}

/** The way a pending sign-in waits on now: one shape per way, nothing that belongs to another. */
export type WayState = RedirectWayState | CodeWayState | ChooseWayState;

interface StateBase {
  /** Why the last sign-in, restore, refresh or save failed, or why the person was signed out. */
  error?: AppError | undefined;
}
/** Reading the vault at start; `tokens` once read (a refresh may still be under way). */
export interface Restoring extends StateBase {
  status: 'restoring';
  tokens?: TokenSet;
}
export interface SignedOut extends StateBase {
  status: 'signed-out';
}
export interface SigningIn extends StateBase {
  status: 'signing-in';
  flow: AuthorizationMode;
  way: WayState;
}
export interface SignedIn extends StateBase {
  status: 'signed-in';
  tokens: TokenSet;
}
export type SessionState = Restoring | SignedOut | SigningIn | SignedIn;

/** What the view needs besides the state (all plain data, asked for by the manager). */
export interface ViewFacts {
  /** `memory`: no OS encryption, or a save failed; nothing is kept across restarts. */
  persistence: SessionView['persistence'];
  /** The last Log Out could not reach the provider (said only while signed out). */
  providerSessionNotEnded: boolean;
  /** Whether the OS hands the app's scheme to this app; if not, why (words for the sign-in screen). */
  appLink: { registered: boolean; missing?: string | undefined };
  /** Every account signed in (the account menu), the active one marked. */
  accounts: AccountSummary[];
}

/** What the renderer may see: a pure function of the state (never a token, never the device code). */
export function viewOf(state: SessionState, facts: ViewFacts): SessionView {
  const base = {
    persistence: facts.persistence,
    ...(state.error ? { error: state.error } : {}),
  };
  switch (state.status) {
    case 'restoring':
      return { status: 'restoring', ...base };
    case 'signed-out':
      return {
        status: 'signed-out',
        ...(facts.providerSessionNotEnded ? { providerSession: 'not-ended' as const } : {}),
        ...base,
      };
    case 'signed-in':
      return {
        status: 'signed-in',
        profile: profileOf(state.tokens),
        accounts: facts.accounts.map((account) => ({ ...account })),
        ...base,
      };
    case 'signing-in':
      return {
        status: 'signing-in',
        flow: state.flow,
        ...(state.way.way !== 'code' && state.way.way !== 'choose' && state.way.expiresAt
          ? { expiresAt: state.way.expiresAt }
          : {}),
        signIn: signInViewOf(state.way, facts.appLink),
        // Adding an account: who stays signed in meanwhile (Cancel goes back to the active one).
        ...(facts.accounts.length > 0
          ? { accounts: facts.accounts.map((account) => ({ ...account })) }
          : {}),
        ...base,
      };
  }
}

function signInViewOf(way: WayState, appLink: ViewFacts['appLink']): SignInView {
  return {
    way: way.way,
    otherWays: otherWays(way.way, appLink.registered, false),
    ...(!appLink.registered && appLink.missing ? { appLinkMissing: appLink.missing } : {}),
    ...(way.way === 'code' && way.code ? { code: { ...way.code } } : {}),
    ...(way.way === 'choose' ? { notice: way.notice } : {}),
  };
}

/**
 * The ways the person may switch to from `current` ("Try another way"). `forSwitch`: what a switch
 * may ask for, which includes the current way (`code` again is a new code).
 */
export function otherWays(
  current: WayState['way'],
  appLinkRegistered: boolean,
  forSwitch: boolean,
): OtherSignInWay[] {
  const ways: OtherSignInWay[] = [];
  if (appLinkRegistered && (forSwitch || current !== 'app-link')) ways.push('app-link');
  if (forSwitch || current !== 'code') ways.push('code');
  return ways;
}

/** The tokens the session holds: read at start (restoring), or signed in. */
export function tokensOf(state: SessionState): TokenSet | undefined {
  return state.status === 'signed-in' || state.status === 'restoring' ? state.tokens : undefined;
}

/** How the account menu names an account: its name, else its email, else its `sub`. */
export function accountNameOf(tokens: TokenSet): string {
  const { name, email, sub } = tokens.claims;
  if (typeof name === 'string' && name.trim()) return name;
  if (typeof email === 'string' && email.trim()) return email;
  return sub;
}

/** The ID token's claims minus the protocol-only ones; public data about the user. */
export function profileOf(tokens: TokenSet): ProfileClaims {
  const { nonce: _nonce, at_hash: _atHash, c_hash: _cHash, sid: _sid, ...claims } = tokens.claims;
  return claims as ProfileClaims;
}
