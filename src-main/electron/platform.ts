/**
 * The core's platform implemented with Electron: the system browser (`shell.openExternal`), the OS
 * keychain (`safeStorage`, async API), and a console logger. The store is in `session-store.ts`
 * (electron-store reads `app` when it loads).
 *
 * Type-only Electron imports: main.ts passes the real `shell` / `safeStorage`, tests pass fakes that
 * follow the documented behaviour.
 */
import type { SafeStorage, Shell } from 'electron';
import type { Cipher, Logger, OpenExternal } from '../core/platform.ts';
import { CoreError } from '../core/errors.ts';
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
    await shell.openExternal(url).catch((error: unknown) => {
      // Said in our words (toAppError shows no foreign message); the OS's reason stays the cause.
      throw new CoreError('internal', 'Could not open your web browser.', { cause: error });
    });
  };
}

/** Linux storage backends that are real OS secret stores (not `basic_text`, not `unknown`). */
const LINUX_KEYRING_BACKENDS = new Set(['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']);
/**
 * The version tag Chromium puts before every ciphertext on Linux: `v10` is its POSIX fallback, a key
 * built into Chromium (what `basic_text` means); `v11` a key from the Secret Service or KWallet;
 * `v12` one from the desktop's secret portal.
 */
const BUILT_IN_KEY_TAG = 'v10';

/** What safeStorage says about the key behind its encryption (readKeychainFacts). */
export interface KeychainFacts {
  platform: NodeJS.Platform;
  /** `isAsyncEncryptionAvailable()`. */
  available: boolean;
  /** Linux: `getSelectedStorageBackend()` once the selection has been made ('' if it never was). */
  backend?: string;
  /** Linux: the first three bytes of a probe sealed with `encryptStringAsync()`. */
  ciphertextTag?: string;
}

/** Whether an encrypted session is kept across restarts, and why, in words for the log. */
export interface KeychainVerdict {
  kept: boolean;
  reason: string;
}

/**
 * The decision, a pure function of what safeStorage reported.
 *
 * macOS (Keychain) and Windows (DPAPI) always have an OS key once the async encryptor is available.
 * On Linux the async API answers "available" even with no secret store: Chromium then falls back to
 * its built-in key (`basic_text`), which is obfuscation, not encryption, so nothing is kept on disk.
 * Both documented signals must agree: the backend Electron selected, and the key family the async
 * encryptor actually used (a `v10` ciphertext means the built-in key, whatever the backend says).
 */
export function keychainVerdict(facts: KeychainFacts): KeychainVerdict {
  if (!facts.available) return { kept: false, reason: 'safeStorage encryption is not available' };
  if (facts.platform === 'darwin') return { kept: true, reason: 'macOS Keychain' };
  if (facts.platform === 'win32') return { kept: true, reason: 'Windows DPAPI' };
  const backend = facts.backend || 'unknown';
  if (backend === 'basic_text')
    return {
      kept: false,
      reason:
        'no secret store for this desktop (basic_text: a key built into Chromium); sessions stay in memory',
    };
  if (!LINUX_KEYRING_BACKENDS.has(backend))
    return {
      kept: false,
      reason: `the secret store could not be determined (backend ${backend}); sessions stay in memory`,
    };
  if (facts.ciphertextTag === BUILT_IN_KEY_TAG)
    return {
      kept: false,
      reason: `${backend} gave no key, so safeStorage used the key built into Chromium; sessions stay in memory`,
    };
  return { kept: true, reason: backend };
}

type AsyncSafeStorage = Pick<
  SafeStorage,
  | 'isAsyncEncryptionAvailable'
  | 'isEncryptionAvailable'
  | 'encryptStringAsync'
  | 'decryptStringAsync'
  | 'getSelectedStorageBackend'
>;

/**
 * Asks safeStorage what stands behind its encryption (after the app is ready).
 *
 * `getSelectedStorageBackend()` reads a selection that Electron 45 makes only when the synchronous
 * API initialises (electron_api_safe_storage.cc, EnsureSyncOsCryptInitializedForSyncApi); the async
 * API never sets it, so read alone it says '' for every Linux user. Both APIs choose from the same
 * inputs (`--password-store`, then the desktop environment), so this initialises the selection the
 * check reads with one `isEncryptionAvailable()` call, and cross-checks it with the key the async
 * encryptor really uses (a probe's version tag).
 */
export async function readKeychainFacts(
  safeStorage: AsyncSafeStorage,
  platform: NodeJS.Platform,
): Promise<KeychainFacts> {
  // Also initialises the async encryptor (lazily, on first use after ready).
  const available = await safeStorage.isAsyncEncryptionAvailable();
  if (!available || platform === 'darwin' || platform === 'win32') return { platform, available };
  // Deprecated in Electron 45, but it is what makes the Linux backend selection the getter reads.
  safeStorage.isEncryptionAvailable();
  const backend = safeStorage.getSelectedStorageBackend();
  const probe = await safeStorage.encryptStringAsync('keychain probe');
  return {
    platform,
    available,
    backend,
    ciphertextTag: Buffer.from(probe).subarray(0, 3).toString('latin1'),
  };
}

/**
 * `safeStorage` (async API) as the core's Cipher: base64 text in and out of the store.
 *
 * Available only where keychainVerdict() says the OS keeps the key; elsewhere the core keeps the
 * session in memory only (SessionView.persistence = 'memory', the notice the UI shows). `onVerdict`
 * hears the decision once, for the log.
 */
export function createSafeStorageCipher(
  safeStorage: AsyncSafeStorage,
  platform: NodeJS.Platform,
  onVerdict?: (verdict: KeychainVerdict, facts: KeychainFacts) => void,
): Cipher {
  return {
    async isAvailable() {
      const facts = await readKeychainFacts(safeStorage, platform);
      const verdict = keychainVerdict(facts);
      onVerdict?.(verdict, facts);
      return verdict.kept;
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
export function createConsoleLogger(
  prefix = 'app',
  options: { stderrOnly?: boolean } = {},
): Logger {
  const line = (message: string, fields?: Record<string, unknown>) =>
    fields && Object.keys(fields).length > 0
      ? `[${prefix}] ${message} ${JSON.stringify(fields)}`
      : `[${prefix}] ${message}`;
  return redactingLogger({
    info: (message, fields) =>
      options.stderrOnly
        ? console.warn(line(message, fields))
        : console.info(line(message, fields)),
    warn: (message, fields) => console.warn(line(message, fields)),
    error: (message, fields) => console.error(line(message, fields)),
  });
}
