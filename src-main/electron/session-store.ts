/**
 * The core's KeyValueStores on electron-store, written atomically: `<userData>/session.json` only ever
 * holds what the core's vault gives it (ciphertext from safeStorage, never a plain token);
 * `<userData>/settings.json` the Settings page's settings (a public client's: no secret in them).
 */
import Store from 'electron-store';
import type { KeyValueStore } from '../core/ports.ts';

export function openSessionStore(name: 'session' | 'settings' = 'session'): KeyValueStore {
  const store = new Store<Record<string, unknown>>({
    name,
    // The core's keys are opaque names, not paths: "vault.v1" is one key, not vault → v1.
    accessPropertiesByDotNotation: false,
    // A corrupted file must not stop the app from starting: start signed out instead.
    clearInvalidConfig: true,
  });
  return {
    get: (key) => store.get(key),
    set: (key, value) => store.set(key, value),
    delete: (key) => store.delete(key),
  };
}
