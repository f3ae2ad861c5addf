/**
 * The parts of a session view a test reads, whatever the status: `undefined` where the view's
 * status has no such field (the renderer `switch`es on the status instead).
 */
import type { SessionView } from '../../src-preload/contract.ts';

export const signInOf = (view: SessionView) =>
  view.status === 'signing-in' ? view.signIn : undefined;
export const profileOf = (view: SessionView) =>
  view.status === 'signed-in' ? view.profile : undefined;
export const expiresAtOf = (view: SessionView) =>
  view.status === 'signing-in' ? view.expiresAt : undefined;
export const providerSessionOf = (view: SessionView) =>
  view.status === 'signed-out' ? view.providerSession : undefined;
