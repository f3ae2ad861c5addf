/**
 * The devstack's state files: oidc-provider's file-backed adapter (the memory adapter's semantics,
 * kept across a reload, expired entries dropped) and the secrets created once and then reused.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFileAdapter } from '../../devstack/file-adapter.ts';
import { StateFile, loadSecrets } from '../../devstack/state.ts';

function tempFile(name = 'provider.json'): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'devstack-state-unit-')), name);
}

function stateFile(file: string, warnings: string[] = []): StateFile {
  return new StateFile(file, (message) => warnings.push(message));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the file-backed oidc-provider adapter', () => {
  it('finds what was upserted (a copy), and a reload from the file finds it again', async () => {
    const file = tempFile();
    const factory = await createFileAdapter(stateFile(file));
    const tokens = factory('RefreshToken');
    await tokens.upsert(
      'rt-1',
      { jti: 'rt-1', kind: 'RefreshToken', grantId: 'g-1', exp: 1 },
      3600,
    );
    const found = await tokens.find('rt-1');
    expect(found).toEqual({ jti: 'rt-1', kind: 'RefreshToken', grantId: 'g-1', exp: 1 });
    found!['grantId'] = 'changed';
    expect((await tokens.find('rt-1'))?.['grantId']).toBe('g-1');
    // Models do not share ids.
    expect(await factory('AccessToken').find('rt-1')).toBeUndefined();

    const reloaded = await createFileAdapter(stateFile(file));
    expect(await reloaded('RefreshToken').find('rt-1')).toEqual({
      jti: 'rt-1',
      kind: 'RefreshToken',
      grantId: 'g-1',
      exp: 1,
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(file))).toEqual(['provider.json']);
  });

  it('marks consumed, destroys, and finds sessions by uid', async () => {
    const file = tempFile();
    const factory = await createFileAdapter(stateFile(file));
    const codes = factory('AuthorizationCode');
    await codes.upsert('code-1', { jti: 'code-1', grantId: 'g-1' }, 60);
    await codes.consume('code-1');
    expect((await codes.find('code-1'))?.['consumed']).toEqual(expect.any(Number));

    const sessions = factory('Session');
    await sessions.upsert('s-1', { jti: 's-1', uid: 'uid-1', accountId: 'alice' }, 3600);
    expect(await sessions.findByUid('uid-1')).toMatchObject({ jti: 's-1' });
    // A session saved under a new id (oidc-provider rotates it) is found by its uid under the new one.
    await sessions.destroy('s-1');
    await sessions.upsert('s-2', { jti: 's-2', uid: 'uid-1', accountId: 'alice' }, 3600);
    expect(await sessions.findByUid('uid-1')).toMatchObject({ jti: 's-2' });
    expect(await sessions.find('s-1')).toBeUndefined();

    const reloaded = await createFileAdapter(stateFile(file));
    expect((await reloaded('AuthorizationCode').find('code-1'))?.['consumed']).toEqual(
      expect.any(Number),
    );
    expect(await reloaded('Session').findByUid('uid-1')).toMatchObject({ jti: 's-2' });
    await reloaded('Session').destroy('s-2');
    expect(await reloaded('Session').findByUid('uid-1')).toBeUndefined();
  });

  it('revokes every token of a grant, and only of that grant', async () => {
    const factory = await createFileAdapter(stateFile(tempFile()));
    await factory('Grant').upsert('g-1', { jti: 'g-1' }, 3600);
    await factory('AccessToken').upsert('at-1', { jti: 'at-1', grantId: 'g-1' }, 3600);
    await factory('RefreshToken').upsert('rt-1', { jti: 'rt-1', grantId: 'g-1' }, 3600);
    await factory('RefreshToken').upsert('rt-2', { jti: 'rt-2', grantId: 'g-2' }, 3600);
    await factory('RefreshToken').revokeByGrantId('g-1');
    expect(await factory('AccessToken').find('at-1')).toBeUndefined();
    expect(await factory('RefreshToken').find('rt-1')).toBeUndefined();
    expect(await factory('RefreshToken').find('rt-2')).toBeDefined();
    // The grant itself is destroyed by oidc-provider separately (revokeGrantPolicy).
    expect(await factory('Grant').find('g-1')).toBeDefined();
  });

  it('honours expiresIn (plus the clock tolerance), and a reload drops what has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2030-01-01T00:00:00Z') });
    const file = tempFile();
    const factory = await createFileAdapter(stateFile(file), 5);
    const interactions = factory('Interaction');
    await interactions.upsert('short', { jti: 'short' }, 10);
    await interactions.upsert('long', { jti: 'long' }, 3600);
    await interactions.upsert('forever', { jti: 'forever' });

    vi.setSystemTime(new Date('2030-01-01T00:00:14Z'));
    expect(await interactions.find('short')).toBeDefined();
    vi.setSystemTime(new Date('2030-01-01T00:00:15Z'));

    const reloaded = await createFileAdapter(stateFile(file), 5);
    expect(await reloaded('Interaction').find('short')).toBeUndefined();
    expect(await reloaded('Interaction').find('long')).toBeDefined();
    expect(await reloaded('Interaction').find('forever')).toBeDefined();
    expect(await interactions.find('short')).toBeUndefined();

    // The next write leaves the expired entry out of the file.
    await interactions.upsert('another', { jti: 'another' }, 60);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { entries: Array<{ id: string }> };
    expect(stored.entries.map((entry) => entry.id).sort()).toEqual(['another', 'forever', 'long']);
  });

  it('coalesces concurrent changes and loses none of them', async () => {
    const file = tempFile();
    const factory = await createFileAdapter(stateFile(file));
    const tokens = factory('RefreshToken');
    await Promise.all(
      Array.from({ length: 25 }, (_, index) =>
        tokens.upsert(`rt-${index}`, { jti: `rt-${index}` }, 3600),
      ),
    );
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { entries: unknown[] };
    expect(stored.entries).toHaveLength(25);
    expect(readdirSync(path.dirname(file))).toEqual(['provider.json']);
  });

  it('starts empty, with a warning, when the file is not JSON', async () => {
    const file = tempFile();
    writeFileSync(file, '{"version":1,"entries":[', { mode: 0o600 });
    const warnings: string[] = [];
    const factory = await createFileAdapter(stateFile(file, warnings));
    expect(warnings).toEqual([expect.stringContaining('is not valid JSON')]);
    expect(await factory('Session').find('s-1')).toBeUndefined();
    await factory('Session').upsert('s-1', { jti: 's-1', uid: 'u' }, 60);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1 });
  });
});

describe('the devstack secrets', () => {
  it('are created once, owner-only, and reused', async () => {
    const file = tempFile('secrets.json');
    const first = await loadSecrets(stateFile(file));
    expect(first.signingKey).toMatchObject({
      kty: 'RSA',
      alg: 'RS256',
      use: 'sig',
      kid: expect.any(String),
      d: expect.any(String),
    });
    expect(first.providerDpopNonceSecret).toHaveLength(32);
    expect(first.apiDpopNonceSecret).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = readFileSync(file, 'utf8');

    const second = await loadSecrets(stateFile(file));
    expect(second).toEqual(first);
    expect(readFileSync(file, 'utf8')).toBe(written);
  });

  it('replace only what is missing or unusable', async () => {
    const file = tempFile('secrets.json');
    const first = await loadSecrets(stateFile(file));
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...stored, apiDpopNonceSecret: 'too-short' }));
    const second = await loadSecrets(stateFile(file));
    expect(second.signingKey).toEqual(first.signingKey);
    expect(second.cookieKeys).toEqual(first.cookieKeys);
    expect(second.apiDpopNonceSecret).toHaveLength(32);
    expect(second.apiDpopNonceSecret.equals(first.apiDpopNonceSecret)).toBe(false);
    expect(await loadSecrets(stateFile(file))).toEqual(second);
  });
});
