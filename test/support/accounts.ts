/**
 * The devstack's seeded demo accounts, as the tests sign in with them (email, password, name and
 * permissions straight from the devstack, so the two cannot drift apart).
 */
import { DEMO_ACCOUNTS, type DemoAccount } from '../../devstack/index.ts';

export function demoAccount(email: string): DemoAccount {
  const found = DEMO_ACCOUNTS.find((each) => each.email === email);
  if (!found) throw new Error(`no demo account ${email}`);
  return found;
}

/** Alice Liddell: may read the admin message. */
export const alice = demoAccount('alice@example.com');
/** Bob Builder: no admin permission. */
export const bob = demoAccount('bob@example.com');
