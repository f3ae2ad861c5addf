/**
 * `npm run update:sign -- <feed-folder> --key <private-key.pem>` (issue 20): signs every
 * latest*.yml in place, lists every blockmap's sha512, refuses to vouch for a file that is not
 * what its yml says, and prints the UPDATE_PUBLIC_KEY the app must be built with.
 */
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { publicKeyLine, signFeed } from '../../scripts/update-sign.ts';
import { verifyUpdateInfo } from '../../src-main/core/updates/update-signature.ts';

const script = path.join(import.meta.dirname, '..', '..', 'scripts', 'update-sign.ts');
const made: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'update-sign-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const sha512 = (data: Buffer) => createHash('sha512').update(data).digest('base64');

function feedFolder(): { folder: string; app: Buffer } {
  const folder = tmp();
  const app = Buffer.from('the new app');
  writeFileSync(path.join(folder, 'App-1.1.0.AppImage'), app);
  writeFileSync(path.join(folder, 'App-Setup-1.1.0.exe.blockmap'), 'new blockmap');
  writeFileSync(path.join(folder, 'App-Setup-1.0.0.exe.blockmap'), 'old blockmap');
  const info = (url: string) => ({
    version: '1.1.0',
    files: [{ url, sha512: sha512(app), size: app.length }],
    path: url,
    sha512: sha512(app),
    releaseDate: '2026-01-01T00:00:00.000Z',
  });
  writeFileSync(path.join(folder, 'latest-linux.yml'), dump(info('App-1.1.0.AppImage')));
  // Windows' installer is uploaded elsewhere: nothing here to compare with.
  writeFileSync(path.join(folder, 'latest.yml'), dump(info('App-Setup-1.1.0.exe')));
  writeFileSync(path.join(folder, 'notes.yml'), 'not: metadata\n');
  return { folder, app };
}

const read = (folder: string, name: string) =>
  load(readFileSync(path.join(folder, name), 'utf8')) as Record<string, unknown>;

function pemKey(folder: string): { file: string; key: KeyObject; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const file = path.join(folder, 'update-key.pem');
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { file, key: privateKey, publicKey };
}

describe('signFeed', () => {
  it('signs every latest*.yml in place, with the sha512 of every blockmap in the folder', () => {
    const { folder } = feedFolder();
    const { key, publicKey } = pemKey(folder);

    const signed = signFeed(folder, key);

    expect(signed.map((channel) => channel.file)).toEqual(['latest-linux.yml', 'latest.yml']);
    for (const name of ['latest-linux.yml', 'latest.yml']) {
      const info = read(folder, name);
      expect(verifyUpdateInfo(name, info, publicKey)).toEqual({ ok: true });
      expect(info.blockMaps).toEqual({
        'App-Setup-1.0.0.exe.blockmap': sha512(Buffer.from('old blockmap')),
        'App-Setup-1.1.0.exe.blockmap': sha512(Buffer.from('new blockmap')),
      });
    }
    expect(readFileSync(path.join(folder, 'notes.yml'), 'utf8')).toBe('not: metadata\n');
  });

  it('signs again after a change (the old signature replaced), and keeps what a feed host may edit', () => {
    const { folder } = feedFolder();
    const { key, publicKey } = pemKey(folder);
    signFeed(folder, key);
    const info = read(folder, 'latest-linux.yml');
    info.stagingPercentage = 20;
    writeFileSync(path.join(folder, 'latest-linux.yml'), dump(info));
    expect(
      verifyUpdateInfo('latest-linux.yml', read(folder, 'latest-linux.yml'), publicKey),
    ).toEqual({
      ok: true,
    });
    const before = read(folder, 'latest-linux.yml').signature;

    signFeed(folder, key);

    const after = read(folder, 'latest-linux.yml');
    expect(after.stagingPercentage).toBe(20);
    expect(after.signature).toBe(before);
    expect(verifyUpdateInfo('latest-linux.yml', after, publicKey)).toEqual({ ok: true });
  });

  it('refuses to vouch for a file that is not what its yml says, and changes nothing', () => {
    const { folder } = feedFolder();
    const { key } = pemKey(folder);
    writeFileSync(path.join(folder, 'App-1.1.0.AppImage'), 'something else');
    const before = readFileSync(path.join(folder, 'latest.yml'), 'utf8');

    expect(() => signFeed(folder, key)).toThrow(
      'latest-linux.yml: App-1.1.0.AppImage is 14 bytes, the yml says 11',
    );
    expect(readFileSync(path.join(folder, 'latest.yml'), 'utf8')).toBe(before);
    expect(read(folder, 'latest-linux.yml').signature).toBeUndefined();
  });

  it('refuses a folder without metadata and a key that is not Ed25519', () => {
    const empty = tmp();
    expect(() => signFeed(empty, generateKeyPairSync('ed25519').privateKey)).toThrow(
      'holds no latest*.yml to sign',
    );
    const { folder } = feedFolder();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(() => signFeed(folder, rsa)).toThrow('must be an Ed25519 private key (this one is rsa)');
  });
});

describe('npm run update:sign', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });

  it('signs the folder and prints the matching UPDATE_PUBLIC_KEY', () => {
    const { folder } = feedFolder();
    const { file, key } = pemKey(folder);

    const result = run(folder, '--key', file);

    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      'signed latest-linux.yml: version 1.1.0, 1 file(s), 2 blockmap(s)',
    );
    expect(result.stdout.trim().split('\n').at(-1)).toBe(`UPDATE_PUBLIC_KEY=${publicKeyLine(key)}`);
    expect(read(folder, 'latest.yml').signature).toMatch(/^ed25519:/);
  });

  it.each([
    [[], 'usage: npm run update:sign -- <feed-folder> --key <private-key.pem>'],
    [['feed'], 'usage:'],
    [['feed', '--key'], 'usage:'],
    [
      ['feed', '--key', '/nonexistent/key.pem'],
      'cannot read the key /nonexistent/key.pem (ENOENT)',
    ],
  ])('%j: exit 1 with "%s"', (args, message) => {
    const result = run(...args);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
  });

  it('a key file that is not a private key', () => {
    const { folder } = feedFolder();
    const file = path.join(folder, 'public.pem');
    writeFileSync(
      file,
      generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }),
    );
    const result = run(folder, '--key', file);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file} is not a private key in PEM`);
  });
});
