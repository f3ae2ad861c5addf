import type { SignedInView } from '../../../src-preload/contract.ts';

/**
 * Whether the nav shows the plain Log Out button next to the account menu: with one account, where
 * it is the guide's familiar button and means what it says. With several, Log Out would be
 * ambiguous (this account, or all?), so it lives on only in the menu, as "Sign out of all accounts",
 * next to "Sign out of <name>".
 */
export function showsLogOut(session: SignedInView): boolean {
  return session.accounts.length <= 1;
}
