// The devstack's state on disk, when startDevstack is given a `dataDir` (the preview's data folder,
// the Electron profile, DEVSTACK_DATA_DIR): one owner-only folder (0700) of owner-only JSON files
// (0600), each rewritten whole through a temporary file and a rename, so a crash leaves the old file
// or the new one, never half of one.
//
//   secrets.json    the provider's RS256 signing key and cookie keys, the DPoP nonce secrets of the
//                   provider and the API: created once, then reused
//   provider.json   oidc-provider's stored models (sessions, grants, refresh tokens, …): file-adapter.ts
//   accounts.json   signed-up accounts: email, name, scrypt salt and hash (never a password)
//   ports.json      the ports it last listened on (the issuer names its port: asking for the same
//                   ones again keeps the sessions stored against that issuer valid)
import { createPrivateKey, generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AccountPersistence } from './accounts.ts';
import { createFileAdapter } from './file-adapter.ts';
import type { FileAdapterFactory } from './file-adapter.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;
const NONCE_SECRET_BYTES = 32;
const COOKIE_KEY_COUNT = 2;

export type Warn = (message: string) => void;

/** Writes `text` to `file` atomically: a fresh owner-only temporary file, synced, renamed over it. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', FILE_MODE);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
}

/**
 * One JSON file of the devstack's state: read once at start, then rewritten whole after each change.
 * Writes are serialized and coalesced: a change made while a write is in flight goes into the next
 * one, and `save()` resolves once a write that contains the caller's change is on disk.
 */
export class StateFile {
  readonly path: string;
  readonly #warn: Warn;
  #snapshot: (() => unknown) | undefined;
  /** The write waiting to start (it will take its snapshot when it starts). */
  #queued: Promise<void> | undefined;
  /** The write in flight; never rejects (its callers see the error through their own promise). */
  #inFlight: Promise<void> | undefined;

  constructor(file: string, warn: Warn) {
    this.path = file;
    this.#warn = warn;
  }

  /**
   * The file's JSON, or undefined when there is none yet. A file that is not JSON (it cannot be half
   * written, so someone edited it) is reported and treated as absent: the next save replaces it.
   */
  async read(): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      this.#warn(
        `${this.path} is not valid JSON; starting that part of the devstack's state afresh`,
      );
      return undefined;
    }
  }

  /** Writes `snapshot()` (called when the write starts, so it sees every change made until then). */
  save(snapshot: () => unknown): Promise<void> {
    this.#snapshot = snapshot;
    this.#queued ??= this.#writeAfterCurrent();
    return this.#queued;
  }

  async #writeAfterCurrent(): Promise<void> {
    await this.#inFlight;
    this.#queued = undefined;
    const snapshot = this.#snapshot;
    if (snapshot === undefined) return;
    const write = writeFileAtomic(this.path, `${JSON.stringify(snapshot())}\n`);
    const settled = write.then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight = settled;
    void settled.then(() => {
      if (this.#inFlight === settled) this.#inFlight = undefined;
    });
    await write;
  }

  /** Resolves when every write asked for so far has finished (successfully or not). */
  async flush(): Promise<void> {
    while (this.#queued !== undefined || this.#inFlight !== undefined) {
      await (this.#queued ?? this.#inFlight)?.catch(() => {});
    }
  }
}

/** Creates the folder owner-only (or makes an existing one so). */
export async function openStateDir(dir: string): Promise<string> {
  const resolved = path.resolve(dir);
  await mkdir(resolved, { recursive: true, mode: DIR_MODE });
  if (process.platform !== 'win32') await chmod(resolved, DIR_MODE);
  return resolved;
}

export interface DevstackSecrets {
  /** The provider's RS256 signing key: a private JWK with `kid`, `alg` and `use`. */
  signingKey: Record<string, unknown>;
  /** Keys for the provider's signed cookies, newest first. */
  cookieKeys: string[];
  /** 32 bytes: the provider's DPoP nonces (oidc-provider's features.dPoP.nonceSecret). */
  providerDpopNonceSecret: Buffer;
  /** 32 bytes: the Hello World API's DPoP nonces. */
  apiDpopNonceSecret: Buffer;
}

export async function createSigningKey(): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

export function createCookieKeys(): string[] {
  return Array.from({ length: COOKIE_KEY_COUNT }, () => randomBytes(32).toString('base64url'));
}

export function createNonceSecret(): Buffer {
  return randomBytes(NONCE_SECRET_BYTES);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function validSigningKey(value: unknown): Record<string, unknown> | undefined {
  const jwk = asRecord(value);
  if (
    jwk?.['kty'] !== 'RSA' ||
    jwk['alg'] !== 'RS256' ||
    jwk['use'] !== 'sig' ||
    typeof jwk['kid'] !== 'string' ||
    typeof jwk['d'] !== 'string'
  ) {
    return undefined;
  }
  try {
    createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    return jwk;
  } catch {
    return undefined;
  }
}

function validCookieKeys(value: unknown): string[] | undefined {
  return Array.isArray(value) &&
    value.length > 0 &&
    value.every((key) => typeof key === 'string' && key.length >= 32)
    ? (value as string[])
    : undefined;
}

function validNonceSecret(value: unknown): Buffer | undefined {
  if (typeof value !== 'string') return undefined;
  const secret = Buffer.from(value, 'base64url');
  return secret.length === NONCE_SECRET_BYTES ? secret : undefined;
}

/** The secrets in `file`; any that are missing or unusable are created (and the file rewritten). */
export async function loadSecrets(file: StateFile): Promise<DevstackSecrets> {
  const stored = asRecord(await file.read());
  const found = {
    signingKey: validSigningKey(stored?.['signingKey']),
    cookieKeys: validCookieKeys(stored?.['cookieKeys']),
    providerDpopNonceSecret: validNonceSecret(stored?.['providerDpopNonceSecret']),
    apiDpopNonceSecret: validNonceSecret(stored?.['apiDpopNonceSecret']),
  };
  const secrets: DevstackSecrets = {
    signingKey: found.signingKey ?? (await createSigningKey()),
    cookieKeys: found.cookieKeys ?? createCookieKeys(),
    providerDpopNonceSecret: found.providerDpopNonceSecret ?? createNonceSecret(),
    apiDpopNonceSecret: found.apiDpopNonceSecret ?? createNonceSecret(),
  };
  if (Object.values(found).some((value) => value === undefined)) {
    await file.save(() => ({
      version: 1,
      signingKey: secrets.signingKey,
      cookieKeys: secrets.cookieKeys,
      providerDpopNonceSecret: secrets.providerDpopNonceSecret.toString('base64url'),
      apiDpopNonceSecret: secrets.apiDpopNonceSecret.toString('base64url'),
    }));
  }
  return secrets;
}

export const STATE_FILES = Object.freeze({
  secrets: 'secrets.json',
  provider: 'provider.json',
  accounts: 'accounts.json',
  ports: 'ports.json',
});

export interface RememberedPorts {
  idp: number;
  api: number;
}

function validPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 65535;
}

/** The ports the devstack on `dataDir` last listened on, or undefined (none yet, or an unusable file). */
export async function readRememberedPorts(dataDir: string): Promise<RememberedPorts | undefined> {
  const stored = asRecord(
    await new StateFile(path.join(path.resolve(dataDir), STATE_FILES.ports), () => {})
      .read()
      .catch(() => undefined),
  );
  const idp = stored?.['idp'];
  const api = stored?.['api'];
  return validPort(idp) && validPort(api) ? { idp, api } : undefined;
}

export async function rememberPorts(dir: string, ports: RememberedPorts): Promise<void> {
  await writeFileAtomic(
    path.join(dir, STATE_FILES.ports),
    `${JSON.stringify({ version: 1, ...ports })}\n`,
  );
}

export interface DevstackState {
  /** The folder, resolved. */
  dir: string;
  secrets: DevstackSecrets;
  /** oidc-provider's adapter over provider.json. */
  adapter: FileAdapterFactory;
  accounts: AccountPersistence;
  /** Resolves once every change so far is on disk. */
  flush(): Promise<void>;
}

/** Opens (or creates) the devstack's state folder and reads what an earlier run left there. */
export async function openDevstackState(
  dataDir: string,
  options: { clockTolerance: number; warn: Warn },
): Promise<DevstackState> {
  const dir = await openStateDir(dataDir);
  const file = (name: string) => new StateFile(path.join(dir, name), options.warn);
  const accountsFile = file(STATE_FILES.accounts);
  const [secrets, adapter, savedAccounts] = await Promise.all([
    loadSecrets(file(STATE_FILES.secrets)),
    createFileAdapter(file(STATE_FILES.provider), options.clockTolerance),
    accountsFile.read(),
  ]);
  return {
    dir,
    secrets,
    adapter,
    accounts: {
      saved: savedAccounts,
      save: (accounts) => accountsFile.save(() => ({ version: 1, accounts })),
    },
    flush: async () => {
      await Promise.all([adapter.flush(), accountsFile.flush()]);
    },
  };
}
