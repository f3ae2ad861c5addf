/**
 * A fake of Electron's ipcMain that follows its documented behaviour: one handler per channel (a
 * second registration throws), removeHandler frees the channel. No `electron` module is loaded.
 */
import type { IpcMain } from 'electron';

export type InvokeHandler = (event: { senderFrame: unknown }, ...args: unknown[]) => unknown;

export function fakeIpcMain() {
  const handlers = new Map<string, InvokeHandler>();
  const ipcMain = {
    handle(channel: string, handler: InvokeHandler) {
      if (handlers.has(channel))
        throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, handler);
    },
    removeHandler(channel: string) {
      handlers.delete(channel);
    },
  };
  /**
   * What `ipcRenderer.invoke(channel, ...args)` from `frame` gets back: the arguments arrive
   * structured-cloned, and an unknown channel rejects like Electron's.
   */
  const invoke = async (frame: unknown, channel: string, args: unknown[]) => {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ senderFrame: frame }, ...structuredClone(args));
  };
  return {
    ipcMain: ipcMain as unknown as Pick<IpcMain, 'handle' | 'removeHandler'>,
    handlers,
    invoke,
  };
}
