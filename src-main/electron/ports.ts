/**
 * The core's ports implemented with Electron: the system browser (`shell.openExternal`), the OS
 * keychain (`safeStorage`, async API), and a console logger. The store is in `session-store.ts`
 * (electron-store reads `app` when it loads).
 *
 * Type-only Electron imports: main.ts passes the real `shell` / `safeStorage`, tests pass fakes that
 * follow the documented behaviour.
 */
import type { SafeStorage, Shell } from 'electron';
import type { Cipher, Logger, OpenExternal } from '../core/ports.ts';
import { redactingLogger } from '../core/redact.ts';
import { isBrowserUrl } from './policy.ts';

/**
 * RFC 8252 §8.12: sign-in happens in the user's browser. Only http(s) URLs are handed to the OS.
 * `shell.openExternal` is looked up at call time, so an end-to-end test may replace it in the main
 * process (test/electron/app.spec.ts) and read the authorization URL instead of opening a browser.
 */
export function createOpenExternal(shell: Pick<Shell, 'openExternal'>): OpenExternal {
  return async (url) => {
    if (!isBrowserUrl(url)) throw new Error('Only http(s) URLs are opened in the browser.');
    // electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK — the one call site of shell.openExternal, reached only after isBrowserUrl (http/https); test/unit/electron-shell.test.ts "refuses other schemes without touching the OS"
    await shell.openExternal(url);
  };
}

/** Linux storage backends that are real OS secret stores (not `basic_text`, not `unknown`). */
const LINUX_KEYRING_BACKENDS = new Set(['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']);

type AsyncSafeStorage = Pick<
  SafeStorage,
  | 'isAsyncEncryptionAvailable'
  | 'encryptStringAsync'
  | 'decryptStringAsync'
  | 'getSelectedStorageBackend'
>;

/**
 * `safeStorage` (async API) as the core's Cipher: base64 text in and out of the store.
 *
 * On Linux without a keyring Chromium falls back to `basic_text`, a hard-coded key: that is
 * obfuscation, not encryption, so it counts as unavailable and the core keeps the session in memory
 * only (SessionView.persistence = 'memory').
 */
export function createSafeStorageCipher(
  safeStorage: AsyncSafeStorage,
  platform: NodeJS.Platform,
): Cipher {
  return {
    async isAvailable() {
      // Also initialises the async encryptor, so the backend below is known afterwards.
      if (!(await safeStorage.isAsyncEncryptionAvailable())) return false;
      if (platform === 'linux')
        return LINUX_KEYRING_BACKENDS.has(safeStorage.getSelectedStorageBackend());
      return true;
    },
    async encrypt(plaintext) {
      const encrypted = await safeStorage.encryptStringAsync(plaintext);
      return encrypted.toString('base64');
    },
    async decrypt(ciphertext) {
      // Rejects on tampered data or another key; the core then drops the stored session.
      // `shouldReEncrypt` is not acted on: the vault is rewritten at every token refresh anyway.
      const { result } = await safeStorage.decryptStringAsync(Buffer.from(ciphertext, 'base64'));
      return result;
    },
  };
}

/**
 * One line per event on stdout/stderr. The core never passes a token in `fields`, and in case one
 * slips through every line goes through redaction (core/redact.ts) first.
 */
export function createConsoleLogger(prefix = 'app'): Logger {
  const line = (message: string, fields?: Record<string, unknown>) =>
    fields && Object.keys(fields).length > 0
      ? `[${prefix}] ${message} ${JSON.stringify(fields)}`
      : `[${prefix}] ${message}`;
  return redactingLogger({
    info: (message, fields) => console.info(line(message, fields)),
    warn: (message, fields) => console.warn(line(message, fields)),
    error: (message, fields) => console.error(line(message, fields)),
  });
}
