/**
 * Where the window's state is kept: `<userData>/window-state.json` (electron-store, written
 * atomically). Plain numbers, nothing secret. What is read back is validated by `parseWindowState`.
 */
import Store from 'electron-store';
import type { Logger } from '../core/platform.ts';
import { STORE_FILE_MODE } from './session-store.ts';
import type { WindowState } from './window-state.ts';

const KEY = 'window';

export interface WindowStateStore {
  /** What was stored, unvalidated (pass it to parseWindowState). */
  load(): unknown;
  save(state: WindowState): void;
}

export function openWindowStateStore(log: Logger): WindowStateStore {
  const store = new Store<Record<string, unknown>>({
    name: 'window-state',
    // A corrupted file must not stop the app from starting: the window opens at its default size.
    clearInvalidConfig: true,
    configFileMode: STORE_FILE_MODE,
  });
  return {
    load: () => store.get(KEY),
    save(state) {
      try {
        store.set(KEY, state);
      } catch (error) {
        // A full disk or a read-only profile costs the window its place next time, nothing more.
        log.warn('could not save the window state', {
          message: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };
}
