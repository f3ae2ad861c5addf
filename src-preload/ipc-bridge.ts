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
import { bridgeMethods, events, type AuthBridge, type SessionView } from './contract.ts';

type InvokeMethods = Omit<AuthBridge, 'onSessionChanged'>;

export function createIpcBridge(ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): AuthBridge {
  const invokers = Object.fromEntries(
    Object.entries(bridgeMethods).map(([method, channel]) => [method, (...args: unknown[]) => ipc.invoke(channel, ...args)]),
  ) as unknown as InvokeMethods; // one entry per method of the table, typed by the contract

  return {
    ...invokers,
    onSessionChanged(listener: (session: SessionView) => void) {
      const forward = (_event: IpcRendererEvent, session: SessionView) => listener(session);
      ipc.on(events['session:changed'], forward);
      return () => {
        ipc.removeListener(events['session:changed'], forward);
      };
    },
  };
}

contextBridge.exposeInMainWorld('auth', createIpcBridge(ipcRenderer));
