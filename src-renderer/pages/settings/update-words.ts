/**
 * The words Settings → Updates (and the "update ready" notice) says for each update state (issue
 * 20): the labels the issue names ("Up to date", "Version X is available", "Downloading… 42 %",
 * "Ready: restart to update", "Updates are turned off", "Updates are not set up for this build",
 * "Update with your package manager"), one place for all of them.
 */
import type { PendingActivity, UpdateState } from '../../../src-preload/contract.ts';

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

/** Why the feed's version is not offered, under "Up to date". */
export function heldBackNote(state: Extract<UpdateState, { kind: 'up-to-date' }>): string {
  const latest = state.latest ?? '';
  switch (state.heldBack) {
    case 'older':
      return `The feed offers version ${latest}, which is not newer: it is not installed.`;
    case 'staged':
      return `Version ${latest} is being offered to some installations first; this one gets it later.`;
    case 'system':
      return `Version ${latest} does not run on this version of the operating system.`;
    default:
      return `The feed offers version ${latest}.`;
  }
}
