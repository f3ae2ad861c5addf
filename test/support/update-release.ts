/**
 * Releases for the update tests and the benchmark (issue 20), made the way electron-builder makes
 * them: the blockmaps come from electron-builder's own blockmap code (app-builder-lib
 * `buildBlockMap`: Rabin content-defined chunks, embedded at the end of an AppImage, a separate
 * gzip `.blockmap` beside an NSIS installer), the metadata has the shape of its `latest*.yml`.
 * The payloads are random bytes standing in for an app: what a differential download has to find.
 */
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildBlockMap } from 'app-builder-lib/out/targets/blockmap/blockmap.js';
import { dump } from 'js-yaml';

export interface ReleaseFile {
  url: string;
  sha512: string;
  size: number;
  blockMapSize?: number;
}

/** An AppImage stand-in: `payload` with electron-builder's blockmap embedded after it. */
export async function writeAppImage(file: string, payload: Buffer): Promise<ReleaseFile> {
  writeFileSync(file, payload);
  const info = await buildBlockMap(file, 'deflate');
  return {
    url: path.basename(file),
    sha512: info.sha512,
    size: info.size!,
    blockMapSize: info.blockMapSize!,
  };
}

/** An NSIS installer stand-in: `payload`, and `<file>.blockmap` beside it. */
export async function writeInstaller(file: string, payload: Buffer): Promise<ReleaseFile> {
  writeFileSync(file, payload);
  const info = await buildBlockMap(file, 'gzip', `${file}.blockmap`);
  return { url: path.basename(file), sha512: info.sha512, size: info.size! };
}

/** `latest*.yml` as electron-builder writes it (files, then the legacy path and sha512). */
export function writeChannel(
  folder: string,
  channelFile: string,
  version: string,
  files: ReleaseFile[],
  extra: Record<string, unknown> = {},
): string {
  const file = path.join(folder, channelFile);
  const info = {
    version,
    files,
    path: files[0]!.url,
    sha512: files[0]!.sha512,
    releaseDate: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
  writeFileSync(file, dump(info, { lineWidth: 8000, noRefs: true }));
  return file;
}

/** A copy of `payload` with `length` bytes at `offset` changed: a one-block change. */
export function changeBytes(payload: Buffer, offset: number, length = 64): Buffer {
  const changed = Buffer.from(payload);
  randomBytes(length).copy(changed, offset);
  return changed;
}

export function randomPayload(size: number): Buffer {
  return randomBytes(size);
}

export function sha512Of(file: string): string {
  return createHash('sha512').update(readFileSync(file)).digest('base64');
}

export interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** What UPDATE_PUBLIC_KEY holds: base64 SPKI DER. */
  publicKeyBase64: string;
}

export function makeSigningKeys(): SigningKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicKey,
    publicKeyBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}
