/**
 * DPoP (RFC 9449): the proof-of-possession keys and the proofs they sign.
 *
 * One ES256 (P-256) key pair per account (issue 19): a public client's refresh token is bound to it
 * (RFC 9449 §5), so it lives as long as the account, and two accounts never show the provider or
 * the API the same thumbprint (unlinkable). Its private key reaches the store only encrypted through
 * the platform's Cipher, inside the account's vault entry (account-vault.ts); without real OS
 * encryption it lives in memory only, like the session. `DPoPKeyStore` is the single installation
 * key of earlier versions (store key `dpop-key`), which the migration hands to the first account.
 * In memory the private key is
 * a non-extractable CryptoKey: nothing in the process can export it again, and it never appears in a
 * log line, an event or a response to the renderer.
 */
import type { webcrypto } from 'node:crypto';
import { z } from 'zod';
import type { Cipher, KeyValueStore, Logger } from './platform.ts';

/** The store key of the encrypted key record. */
export const DPOP_KEY_RECORD = 'dpop-key';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type JsonWebKey = webcrypto.JsonWebKey;

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNATURE = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A private key as stored: its JWK encrypted through the platform's Cipher. */
export const keyRecordSchema = z.object({
  version: z.literal(1),
  alg: z.literal('ES256'),
  ciphertext: z.string().min(1),
});
export type KeyRecord = z.infer<typeof keyRecordSchema>;
const coordinate = z.string().regex(/^[\w-]{43}$/);
const privateJwkSchema = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: coordinate,
  y: coordinate,
  d: coordinate,
});

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export interface ProofOptions {
  /** The access token the request carries: its hash goes in `ath` (RFC 9449 §4.2). */
  accessToken?: string | undefined;
  /** The server's latest `DPoP-Nonce`, if it asked for one (RFC 9449 §8, §9). */
  nonce?: string | undefined;
}

export class DPoPKey {
  /** The pair openid-client's DPoP handle signs with; the private half cannot be exported. */
  readonly keyPair: CryptoKeyPair;
  readonly publicJwk: PublicJwk;
  /** RFC 7638 SHA-256 JWK thumbprint: the `jkt` the provider binds tokens to (`cnf.jkt`). */
  readonly thumbprint: string;
  private readonly header: string;

  private constructor(keyPair: CryptoKeyPair, publicJwk: PublicJwk, thumbprint: string) {
    this.keyPair = keyPair;
    this.publicJwk = publicJwk;
    this.thumbprint = thumbprint;
    this.header = base64url(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk }));
  }

  /** A new key pair, and its private JWK for the caller to encrypt (the only time it is exported). */
  static async generate(): Promise<{ key: DPoPKey; privateJwk: JsonWebKey }> {
    const pair = await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
    const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
    return { key: await DPoPKey.fromPrivateJwk(privateJwk), privateJwk };
  }

  /** Imports a stored private JWK; the private key becomes non-extractable. */
  static async fromPrivateJwk(jwk: JsonWebKey): Promise<DPoPKey> {
    const { x, y, d } = privateJwkSchema.parse(jwk);
    const publicJwk: PublicJwk = { kty: 'EC', crv: 'P-256', x, y };
    const [privateKey, publicKey] = await Promise.all([
      crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x, y, d }, KEY_ALGORITHM, false, [
        'sign',
      ]),
      crypto.subtle.importKey('jwk', publicJwk, KEY_ALGORITHM, true, ['verify']),
    ]);
    return new DPoPKey({ privateKey, publicKey }, publicJwk, await jwkThumbprint(publicJwk));
  }

  /**
   * A fresh DPoP proof JWT for one request (RFC 9449 §4.2): `htm`, `htu` (the target URI without
   * query and fragment), `iat`, a random `jti`, and `ath` / `nonce` when given.
   */
  async proof(htm: string, target: URL | string, options: ProofOptions = {}): Promise<string> {
    const url = new URL(target);
    const payload: Record<string, string | number> = {
      jti: base64url(crypto.getRandomValues(new Uint8Array(32))),
      htm: htm.toUpperCase(),
      htu: `${url.origin}${url.pathname}`,
      iat: Math.floor(Date.now() / 1000),
    };
    if (options.accessToken !== undefined) payload.ath = await sha256(options.accessToken);
    if (options.nonce !== undefined) payload.nonce = options.nonce;
    const input = `${this.header}.${base64url(JSON.stringify(payload))}`;
    // WebCrypto's ECDSA signature is already JWS's r || s (IEEE P1363), 64 bytes for P-256.
    const signature = await crypto.subtle.sign(
      SIGNATURE,
      this.keyPair.privateKey,
      new TextEncoder().encode(input),
    );
    return `${input}.${base64url(new Uint8Array(signature))}`;
  }

  /** What the key looks like in a log line or a JSON dump by mistake: its thumbprint, nothing else. */
  toJSON(): { thumbprint: string } {
    return { thumbprint: this.thumbprint };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `DPoPKey(${this.thumbprint})`;
  }
}

/** Where the key came from at load: for logs and tests (never the key itself). */
export type DPoPKeyOrigin = 'restored' | 'created' | 'memory';

/**
 * Loads the installation's key once (single-flight) and keeps it. Never throws: a record that cannot
 * be read or decrypted (another installation's, tampered) is replaced by a new key, and a key that
 * cannot be saved is kept in memory.
 */
export class DPoPKeyStore {
  private readonly store: KeyValueStore;
  private readonly cipher: Cipher;
  private readonly persistent: () => Promise<boolean>;
  private readonly log: Logger;
  private loading: Promise<{ key: DPoPKey; origin: DPoPKeyOrigin }> | undefined;

  constructor(
    store: KeyValueStore,
    cipher: Cipher,
    persistent: () => Promise<boolean>,
    log: Logger,
  ) {
    this.store = store;
    this.cipher = cipher;
    this.persistent = persistent;
    this.log = log;
  }

  async key(): Promise<DPoPKey> {
    return (await this.load()).key;
  }

  load(): Promise<{ key: DPoPKey; origin: DPoPKeyOrigin }> {
    this.loading ??= this.loadOnce();
    return this.loading;
  }

  private async loadOnce(): Promise<{ key: DPoPKey; origin: DPoPKeyOrigin }> {
    const persistent = await this.persistent().catch(() => false);
    if (persistent) {
      const restored = await this.restore();
      if (restored) return { key: restored, origin: 'restored' };
    }
    const { key, privateJwk } = await DPoPKey.generate();
    if (!persistent) return { key, origin: 'memory' };
    try {
      this.store.set(DPOP_KEY_RECORD, await sealKeyRecord(this.cipher, privateJwk));
      this.log.info('proof-of-possession key (DPoP) created', { jkt: key.thumbprint });
      return { key, origin: 'created' };
    } catch (error) {
      this.log.error('could not save the proof-of-possession key (DPoP); keeping it in memory', {
        reason: error instanceof Error ? error.name : 'unknown',
      });
      return { key, origin: 'memory' };
    }
  }

  private async restore(): Promise<DPoPKey | undefined> {
    let raw: unknown;
    try {
      raw = this.store.get(DPOP_KEY_RECORD);
    } catch {
      return this.discard('unreadable');
    }
    if (raw === undefined) return undefined;
    const record = keyRecordSchema.safeParse(raw);
    if (!record.success) return this.discard('damaged');
    try {
      return await openKeyRecord(this.cipher, record.data);
    } catch {
      return this.discard('could not be decrypted');
    }
  }

  private discard(reason: string): undefined {
    // Tokens bound to the old key die with it: the next refresh fails and the user signs in again.
    this.log.warn('saved proof-of-possession key (DPoP) discarded; a new one will be made', {
      reason,
    });
    try {
      this.store.delete(DPOP_KEY_RECORD);
    } catch {
      // The next save overwrites it.
    }
    return undefined;
  }
}

/** The stored form of a new key's private JWK (encrypted; the JWK itself is dropped by the caller). */
export async function sealKeyRecord(cipher: Cipher, privateJwk: JsonWebKey): Promise<KeyRecord> {
  return { version: 1, alg: 'ES256', ciphertext: await cipher.encrypt(JSON.stringify(privateJwk)) };
}

/** The key a record holds; rejects when it cannot be decrypted or is not a P-256 private key. */
export async function openKeyRecord(cipher: Cipher, record: KeyRecord): Promise<DPoPKey> {
  return DPoPKey.fromPrivateJwk(JSON.parse(await cipher.decrypt(record.ciphertext)) as JsonWebKey);
}

export async function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
  return sha256(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }));
}

async function sha256(text: string): Promise<string> {
  return base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))),
  );
}

function base64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}
