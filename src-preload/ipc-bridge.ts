/**
 * The Electron preload: puts the contract's `AuthBridge` on `window.auth`, carried over IPC.
 *
 * Every method comes from the contract's `bridgeMethods` table (method → channel), so this file and
 * the main-process handler table cannot drift apart. The renderer gets plain functions: never
 * `ipcRenderer` itself, never an `IpcRendererEvent` (checklist item 20: do not expose Electron APIs).
 *
 * Bundled by Vite into one CommonJS file, dist/preload/ipc-bridge.cjs: a sandboxed preload can
 * `require('electron')` but no local module, and cannot be ESM.
 */
import { contextBridge, ipcRenderer, type IpcRenderer, type IpcRendererEvent } from 'electron';
import {
  bridgeMethods,
  events,
  type AuthBridge,
  type BridgeInvokers,
  type EventName,
  type EventPayloads,
} from './contract.ts';

type Ipc = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

/** Forwards one event's payload (never the IpcRendererEvent) until the returned function is called. */
function subscribe<E extends EventName>(
  ipc: Ipc,
  name: E,
  listener: (payload: EventPayloads[E]) => void,
): () => void {
  const forward = (_event: IpcRendererEvent, payload: EventPayloads[E]) => listener(payload);
  ipc.on(events[name], forward);
  return () => {
    ipc.removeListener(events[name], forward);
  };
}

export function createIpcBridge(ipc: Ipc): AuthBridge {
  const invokers = Object.fromEntries(
    Object.entries(bridgeMethods).map(([method, channel]) => [
      method,
      (...args: unknown[]) => ipc.invoke(channel, ...args),
    ]),
  ) as unknown as BridgeInvokers; // one entry per method of the table, typed by the contract

  return {
    ...invokers,
    onSessionChanged: (listener) => subscribe(ipc, 'session:changed', listener),
    onOpenSettings: (listener) => subscribe(ipc, 'app:open-settings', () => listener()),
    onUpdatesChanged: (listener) => subscribe(ipc, 'updates:changed', listener),
  };
}

contextBridge.exposeInMainWorld('auth', createIpcBridge(ipcRenderer));
