/**
 * The main-process side of the IPC bridge: one `ipcMain.handle` per channel of the contract, all
 * registered by one function, and the contract's events (`session:changed`, `app:open-settings`,
 * `updates:changed`) sent to the app window.
 *
 * The sender is checked here (only the app's own top frame); the payload is validated by
 * `core.handle` with the contract's validators. Type-only Electron imports: tests pass fakes.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import {
  events,
  type AppError,
  type EventName,
  type EventPayloads,
  type SessionView,
  type UpdateView,
} from '../../src-preload/contract.ts';
import { CHANNELS } from '../../src-preload/contract-validators.ts';
import type { AuthCore } from '../core/index.ts';

/** Decides from the sending frame whether a request is answered (see `isTrustedSender` in policy.ts). */
export type SenderCheck = (frame: IpcMainInvokeEvent['senderFrame']) => boolean;

export const refusedSender: { ok: false; error: AppError } = {
  ok: false,
  error: {
    code: 'invalid_request',
    message: 'Request refused: it did not come from the app window.',
  },
};

/**
 * Registers a handler for every channel in the contract and returns a function that removes them.
 * A request from an untrusted frame is answered with `invalid_request` and never reaches the core.
 */
export function registerBridgeHandlers(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  core: Pick<AuthCore, 'handle'>,
  isTrustedSender: SenderCheck,
): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      if (!isTrustedSender(event.senderFrame)) return refusedSender;
      return core.handle(channel, args);
    });
  }
  return () => {
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
  };
}

/** Tells the renderer about a session change; a window that is gone just misses it. */
export function sendSessionChanged(
  contents: Pick<WebContents, 'isDestroyed' | 'send'> | undefined,
  session: SessionView,
): void {
  sendEvent(contents, 'session:changed', session);
}

/** Tells the renderer about an update's progress (a check's result, the download, ready). */
export function sendUpdatesChanged(
  contents: Pick<WebContents, 'isDestroyed' | 'send'> | undefined,
  updates: UpdateView,
): void {
  sendEvent(contents, 'updates:changed', updates);
}

/** Tells the renderer the menu's Settings… item was chosen. */
export function sendOpenSettings(
  contents: Pick<WebContents, 'isDestroyed' | 'send'> | undefined,
): void {
  sendEvent(contents, 'app:open-settings', null);
}

function sendEvent<E extends EventName>(
  contents: Pick<WebContents, 'isDestroyed' | 'send'> | undefined,
  name: E,
  payload: EventPayloads[E],
): void {
  if (!contents || contents.isDestroyed()) return;
  contents.send(events[name], payload);
}
