/**
 * What the app knows about updates, as plain data for Settings → Updates (issue 20): one union keyed
 * by `kind`, set in one place (UpdateService), so the page switches on `kind` and never has to
 * guess from optional fields. `describeUpdate` holds the words the issue names for each state.
 */

/** What a restart must wait for: the session reports it (issue 16 wiring). */
export type PendingActivity = 'sign-in' | 'sign-in-code' | 'logout';

/** Where the switch that turned updates off was set. */
export type UpdateSwitchSource = 'managed' | 'environment';

export type UpdateRefusal =
  /** The feed's metadata carries no signature. */
  | 'unsigned'
  /** A signature that does not verify: changed after signing, or another key. */
  | 'bad-signature'
  /** The download does not match the signed sha512. */
  | 'checksum';

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

export interface UpdateView {
  currentVersion: string;
  state: UpdateState;
}

const WAITING_FOR: Record<PendingActivity, string> = {
  'sign-in': 'the sign-in',
  'sign-in-code': 'the sign-in with a code',
  logout: 'the logout',
};

/** The line Settings → Updates shows for a state. */
export function describeUpdate(state: UpdateState): string {
  switch (state.kind) {
    case 'off':
      return state.source === 'managed'
        ? 'Updates are turned off by your organisation.'
        : 'Updates are turned off by the environment.';
    case 'not-set-up':
      return 'Updates are not set up for this build.';
    case 'misconfigured':
      return `Updates are off: ${state.message}`;
    case 'package-manager':
      return 'Update with your package manager.';
    case 'not-installed':
      return 'Updates work in the installed app.';
    case 'idle':
      return 'Not checked yet.';
    case 'checking':
      return 'Checking for updates…';
    case 'up-to-date':
      return 'Up to date';
    case 'available':
      return `Version ${state.version} is available`;
    case 'downloading':
      return `Downloading… ${state.percent} %`;
    case 'ready':
      return 'Ready: restart to update';
    case 'waiting-to-restart':
      return `Ready: the restart waits for ${WAITING_FOR[state.waitingFor]} to finish`;
    case 'restarting':
      return 'Restarting to update…';
    case 'refused':
      return `Update refused: ${state.message}`;
    case 'failed':
      return state.during === 'check'
        ? `Could not check for updates: ${state.message}`
        : state.during === 'download'
          ? `The update could not be downloaded: ${state.message}`
          : `Could not restart to update: ${state.message}`;
  }
}
