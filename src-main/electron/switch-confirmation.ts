/**
 * Settings → Save that would switch the app to another identity provider or API is confirmed in a
 * main-process dialog (N5 of the second security review): a compromised renderer can fill in and
 * save any form, but it cannot click a native dialog. The dialog names the new issuer's host and the
 * API's origin, which is what decides where the person's password and tokens go. Pure data here
 * (like policy.ts); main.ts shows it with `dialog.showMessageBox` and obeys the answer.
 */
import type { MessageBoxOptions } from 'electron';
import type { ProviderSwitch } from '../core/host.ts';

/** Index of the button that switches; anything else (Cancel, Escape, closing it) does not. */
export const SWITCH_BUTTON = 0;

export function switchConfirmation(change: ProviderSwitch): MessageBoxOptions {
  const target =
    change.kind === 'demo'
      ? { title: 'the built-in demo provider', detail: 'It runs on this computer.' }
      : {
          title: change.issuerHost,
          detail: `Sign in at: ${change.issuerHost}\nAPI: ${change.apiOrigin}`,
        };
  return {
    type: 'question',
    title: 'Switch identity provider?',
    message: `Switch the app to ${target.title}?`,
    detail: `${target.detail}\n\nYou will be signed out here. Switch only if you just chose this in Settings.`,
    buttons: ['Switch', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  };
}
