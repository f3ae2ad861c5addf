import type { SessionView, SignedInView } from '../../../src-preload/contract.ts';

/**
 * Whether the nav shows the plain Log Out button next to the account menu: with one account, where
 * it is the guide's familiar button and means what it says. With several, Log Out would be
 * ambiguous (this account, or all?), so it lives on only in the menu, as "Sign out of all accounts",
 * next to "Sign out of <name>".
 */
export function showsLogOut(session: SignedInView): boolean {
  return session.accounts.length <= 1;
}

/**
 * Whether "Add another account" is waiting: the accounts already signed in stay so, so the nav offers
 * no Log In or Sign Up (they would join the same sign-in) and a page for signed-in users says it
 * comes back, instead of asking the person to log in.
 */
export function addingAccount(session: SessionView): boolean {
  return session.status === 'signing-in' && (session.accounts?.length ?? 0) > 0;
}
