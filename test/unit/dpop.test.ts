import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { DPoPKey, DPoPKeyStore, DPOP_KEY_RECORD, jwkThumbprint } from '../../src-main/core/dpop.ts';
import type { Cipher, KeyValueStore, Logger } from '../../src-main/core/platform.ts';

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function memoryStore(): KeyValueStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: (key) => data.get(key),
    set: (key, value) => data.set(key, structuredClone(value)),
    delete: (key) => data.delete(key),
  };
}

/** Reversible, tagged "encryption" that fails on anything it did not produce (like a foreign key would). */
function fakeCipher(tag = 'k1', available = true): Cipher {
  return {
    isAvailable: async () => available,
    encrypt: async (plaintext) => Buffer.from(`${tag}:${plaintext}`).toString('base64'),
    decrypt: async (ciphertext) => {
      const text = Buffer.from(ciphertext, 'base64').toString('utf8');
      if (!text.startsWith(`${tag}:`)) throw new Error('bad ciphertext');
      return text.slice(tag.length + 1);
    },
  };
}

const quiet: Logger = { info() {}, warn() {}, error() {} };

describe('DPoP proofs', () => {
  it('signs an ES256 dpop+jwt for one method and URL, with ath and nonce, verifiable with the embedded key', async () => {
    const { key } = await DPoPKey.generate();
    const proof = await key.proof('get', 'https://api.example.com/api/messages/protected?x=1#f', {
      accessToken: 'token-value',
      nonce: 'n-1',
    });
    const [header, payload, signature] = proof.split('.');
    expect(decode(header!)).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk });
    expect(key.publicJwk).not.toHaveProperty('d');
    const claims = decode(payload!);
    expect(claims).toMatchObject({
      htm: 'GET',
      htu: 'https://api.example.com/api/messages/protected',
      nonce: 'n-1',
      ath: createHash('sha256').update('token-value').digest('base64url'),
    });
    expect(typeof claims.jti).toBe('string');
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(5);
    const verified = await crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      await crypto.subtle.importKey(
        'jwk',
        key.publicJwk,
        { name: 'ECDSA', namedCurve: 'P-256' },
        false,
        ['verify'],
      ),
      Buffer.from(signature!, 'base64url'),
      new TextEncoder().encode(`${header}.${payload}`),
    );
    expect(verified).toBe(true);
    // A fresh jti every time; no ath or nonce unless given.
    const plain = decode((await key.proof('POST', 'https://idp.example.com/token')).split('.')[1]!);
    expect(plain.jti).not.toBe(claims.jti);
    expect(plain).not.toHaveProperty('ath');
    expect(plain).not.toHaveProperty('nonce');
  });

  it('computes the RFC 7638 thumbprint openid-client computes for the same key', async () => {
    const { key } = await DPoPKey.generate();
    const handle = client.getDPoPHandle(
      new client.Configuration({ issuer: 'https://idp.example.com' }, 'app'),
      key.keyPair,
    );
    expect(key.thumbprint).toBe(await handle.calculateThumbprint());
  });

  it('hashes the canonical JSON of crv, kty, x, y for the thumbprint (RFC 7638 §3.2)', async () => {
    const jwk = {
      kty: 'EC' as const,
      crv: 'P-256' as const,
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    };
    const canonical =
      '{"crv":"P-256","kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}';
    expect(await jwkThumbprint(jwk)).toBe(
      createHash('sha256').update(canonical).digest('base64url'),
    );
  });

  it('never shows its private key: not exportable, not in JSON, not in inspect', async () => {
    const { key, privateJwk } = await DPoPKey.generate();
    await expect(crypto.subtle.exportKey('jwk', key.keyPair.privateKey)).rejects.toThrow();
    expect(JSON.stringify({ key })).toBe(JSON.stringify({ key: { thumbprint: key.thumbprint } }));
    expect(inspect(key)).toBe(`DPoPKey(${key.thumbprint})`);
    expect(inspect(key)).not.toContain(privateJwk.d!);
  });
});

describe('the installation key store', () => {
  it('creates the key once, stores it only encrypted, and restores the same key later', async () => {
    const store = memoryStore();
    const cipher = fakeCipher();
    const first = await new DPoPKeyStore(store, cipher, async () => true, quiet).load();
    expect(first.origin).toBe('created');
    const record = store.data.get(DPOP_KEY_RECORD) as Record<string, string>;
    expect(Object.keys(record).sort()).toEqual(['alg', 'ciphertext', 'version']);
    const jwk = JSON.parse(await cipher.decrypt(record.ciphertext!)) as { d: string };
    expect(JSON.stringify(record)).not.toContain(jwk.d);

    const again = await new DPoPKeyStore(store, cipher, async () => true, quiet).load();
    expect(again).toMatchObject({ origin: 'restored' });
    expect(again.key.thumbprint).toBe(first.key.thumbprint);
  });

  it('is single-flight: concurrent first uses make one key', async () => {
    const store = memoryStore();
    const keys = new DPoPKeyStore(store, fakeCipher(), async () => true, quiet);
    const all = await Promise.all([keys.key(), keys.key(), keys.key()]);
    expect(new Set(all.map((key) => key.thumbprint)).size).toBe(1);
  });

  it('replaces a record it cannot decrypt (another installation) or parse, with a warning', async () => {
    const store = memoryStore();
    const original = await new DPoPKeyStore(
      store,
      fakeCipher('other'),
      async () => true,
      quiet,
    ).key();
    const warnings: string[] = [];
    const log: Logger = { ...quiet, warn: (message) => warnings.push(message) };
    const replaced = await new DPoPKeyStore(
      store,
      fakeCipher('mine'),
      async () => true,
      log,
    ).load();
    expect(replaced.origin).toBe('created');
    expect(replaced.key.thumbprint).not.toBe(original.thumbprint);
    expect(warnings).toEqual([
      'saved proof-of-possession key (DPoP) discarded; a new one will be made',
    ]);

    store.data.set(DPOP_KEY_RECORD, { version: 9 });
    expect(
      (await new DPoPKeyStore(store, fakeCipher('mine'), async () => true, quiet).load()).origin,
    ).toBe('created');
  });

  it('keeps the key in memory only when encryption is unavailable or saving fails', async () => {
    const store = memoryStore();
    const memory = await new DPoPKeyStore(
      store,
      fakeCipher('k', false),
      async () => false,
      quiet,
    ).load();
    expect(memory.origin).toBe('memory');
    expect(store.data.size).toBe(0);

    const failing: Cipher = {
      ...fakeCipher(),
      encrypt: () => Promise.reject(new Error('keychain locked')),
    };
    const unsaved = await new DPoPKeyStore(store, failing, async () => true, quiet).load();
    expect(unsaved.origin).toBe('memory');
    expect(store.data.size).toBe(0);
  });
});
