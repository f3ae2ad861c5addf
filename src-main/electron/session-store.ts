/**
 * The core's KeyValueStore on electron-store: `<userData>/session.json`, written atomically.
 * It only ever holds what the core's vault gives it (ciphertext from safeStorage, never a plain token).
 */
import Store from 'electron-store';
import type { KeyValueStore } from '../core/ports.ts';

export function openSessionStore(): KeyValueStore {
  const store = new Store<Record<string, unknown>>({
    name: 'session',
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
