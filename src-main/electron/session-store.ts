/**
 * The core's KeyValueStores on electron-store, written atomically: `<userData>/session.json` only ever
 * holds what the core's vault gives it (ciphertext from safeStorage, never a plain token);
 * `<userData>/settings.json` the Settings page's settings (a public client's: no secret in them).
 * Both owner-only (0600).
 */
import Store from 'electron-store';
import type { KeyValueStore } from '../core/platform.ts';

/** electron-store files are written owner-only (conf's `configFileMode`). */
export const STORE_FILE_MODE = 0o600;

export function openSessionStore(name: 'session' | 'settings' = 'session'): KeyValueStore {
  const store = new Store<Record<string, unknown>>({
    name,
    // The core's keys are opaque names, not paths: "vault.v1" is one key, not vault → v1.
    accessPropertiesByDotNotation: false,
    // A corrupted file must not stop the app from starting: start signed out instead.
    clearInvalidConfig: true,
    // Owner-only (also applied to an older file at its next write): another user of the machine
    // reads neither the encrypted vault nor which provider the app uses.
    configFileMode: STORE_FILE_MODE,
  });
  return {
    get: (key) => store.get(key),
    set: (key, value) => store.set(key, value),
    delete: (key) => store.delete(key),
  };
}
