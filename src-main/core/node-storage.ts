/**
 * Node implementations of the platform's storage, for the browser preview and the tests. The Electron
 * app uses safeStorage and electron-store instead.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Cipher, KeyValueStore } from './platform.ts';

/**
 * AES-256-GCM with a random key kept in a file BESIDE the data (`vault.key`). This keeps tokens
 * out of plain sight on disk and detects tampering, but anyone who can read the folder can read
 * the key: it is not the OS keychain. The Electron app uses safeStorage (keychain / DPAPI /
 * libsecret) instead.
 */
export class KeyFileBesideDataCipher implements Cipher {
  private readonly keyFile: string;
  private key: Buffer | undefined;

  constructor(directory: string) {
    this.keyFile = path.join(directory, 'vault.key');
  }

  async isAvailable(): Promise<boolean> {
    return true;
  }

  async encrypt(plaintext: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.loadKey(), iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  async decrypt(ciphertext: string): Promise<string> {
    const data = Buffer.from(ciphertext, 'base64');
    if (data.length < 29) throw new Error('ciphertext too short');
    const decipher = createDecipheriv('aes-256-gcm', this.loadKey(), data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
  }

  private loadKey(): Buffer {
    if (this.key) return this.key;
    try {
      const key = Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'base64');
      if (key.length === 32) return (this.key = key);
    } catch {
      // No key yet: make one below.
    }
    const key = randomBytes(32);
    mkdirSync(path.dirname(this.keyFile), { recursive: true, mode: 0o700 });
    writeFileSync(this.keyFile, key.toString('base64'), { mode: 0o600 });
    return (this.key = key);
  }
}

/**
 * A JSON object in one file, written atomically (temp file + rename), owner-only. The file is read
 * once; this process is its only writer, so later reads and writes use the copy in memory.
 */
export class JsonFileStore implements KeyValueStore {
  readonly file: string;
  private data: Record<string, unknown> | undefined;

  constructor(file: string) {
    this.file = file;
  }

  get(key: string): unknown {
    this.data ??= this.read();
    return this.data[key];
  }

  set(key: string, value: unknown): void {
    const data = { ...this.current() };
    data[key] = value;
    this.write(data);
  }

  delete(key: string): void {
    const data = { ...this.current() };
    // Deleting what is not there writes nothing (no file appears where nothing was ever saved).
    if (!Object.hasOwn(data, key)) return;
    delete data[key];
    this.write(data);
  }

  private current(): Record<string, unknown> {
    if (this.data) return this.data;
    try {
      return this.read();
    } catch {
      // Unreadable: it is replaced by the next write.
      return {};
    }
  }

  /** Throws when the file exists but is not a JSON object: the caller decides what that means. */
  private read(): Record<string, unknown> {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    const data: unknown = JSON.parse(text);
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      throw new Error(`${this.file} is not a JSON object`);
    return data as Record<string, unknown>;
  }

  private write(data: Record<string, unknown>): void {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(data), { mode: 0o600 });
    renameSync(temp, this.file);
    this.data = data;
  }
}
