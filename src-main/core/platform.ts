/**
 * The platform: the only ways the Electron-free core reaches capabilities that differ between the
 * Electron app and the Node preview host. The Electron shell implements them with `safeStorage`,
 * `electron-store`, `shell.openExternal` and `net.fetch`; the preview and the tests with Node
 * equivalents.
 */
import type { SessionView } from '../../src-preload/contract.ts';
import type { Transport } from './network/transport.ts';

/** Encrypts secrets before they reach the store (Electron: safeStorage; Node: AES-256-GCM). */
export interface Cipher {
  /** False when the OS offers no real encryption (Linux `basic_text`): nothing is persisted then. */
  isAvailable(): Promise<boolean>;
  /** Returns base64 ciphertext. */
  encrypt(plaintext: string): Promise<string>;
  /** Takes base64 ciphertext; rejects when it cannot be decrypted (tampered, another key). */
  decrypt(ciphertext: string): Promise<string>;
}

/** Persistence of plain JSON values (Electron: electron-store; Node: a JSON file). */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

/** Opens a URL in the user's system browser (RFC 8252 §8.12: never an embedded window). */
export type OpenExternal = (url: string) => Promise<void>;

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface CorePlatform {
  openExternal: OpenExternal;
  cipher: Cipher;
  store: KeyValueStore;
  /** Called on every session change, with what the renderer may see. */
  emit(session: SessionView): void;
  /** Brings the app to the front after a sign-in completes in the browser. */
  focusApp?(): void;
  /**
   * True when the OS hands URLs of the app's redirect scheme to this app (the app link is offered
   * only then). Absent: never.
   */
  appLinkRegistered?(): boolean;
  /**
   * Why the app link is not offered, in words for the sign-in screen (when appLinkRegistered is not
   * true).
   */
  appLinkMissing?(): string | undefined;
  /** Writes text to the OS clipboard (Electron: `clipboard`). Absent: the host has none of its own. */
  copyText?(text: string): void;
  log?: Logger;
  /**
   * Every HTTP request the core makes goes through this (network/transport.ts): Electron's `net.fetch`
   * (Chromium's proxy, PAC and certificate store) or the Node transport (the preview, tests).
   */
  transport: Transport;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
