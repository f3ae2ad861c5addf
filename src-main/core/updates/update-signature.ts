/**
 * Signed update metadata (issue 20). electron-updater trusts the feed: the sha512 it checks a
 * download against comes from the same `latest*.yml` as the download's URL, so whoever can change
 * the feed can ship code to every installation (on Linux nothing else is checked). The release job
 * therefore signs each `latest*.yml` with an Ed25519 key (`npm run update:sign`), and the app, which
 * ships the public key, checks the signature before it downloads anything.
 *
 * What is signed: everything that decides which bytes are downloaded and how they are installed:
 * `version`, `path`, `sha512`, `files` (each entry whole: url, sha512, size, blockMapSize,
 * isAdminRightsRequired), `packages` (NSIS web installers), `blockMaps` (the sha512 of every
 * `*.blockmap` in the feed folder, added by `update:sign`, so a differential download never plans
 * from a blockmap the release job did not publish), and the channel file's own name, so Windows
 * metadata cannot be served as Linux metadata. Not signed: `stagingPercentage`, `releaseDate`,
 * `releaseName`, `releaseNotes`, `minimumSystemVersion`: a feed host may hold a signed release back
 * or let it out sooner, not change it (the app shows none of the release texts).
 *
 * The signature is stored in the yml itself (`signature: ed25519:<base64>`), over a
 * domain-separated, canonical JSON text of those fields (keys sorted at every level), so re-dumping
 * the YAML or reordering its keys does not break it, and changing any signed value does.
 */
import { sign, verify, type KeyObject } from 'node:crypto';

/** The key in `latest*.yml` that holds the signature. */
export const SIGNATURE_FIELD = 'signature';
const SIGNATURE_PREFIX = 'ed25519:';
/** Domain separation: a signature over this text is never valid for anything else. */
const PAYLOAD_HEADER = 'electron-auth0-hello-world update metadata v1';
/** The signed fields, besides the channel file's name. */
export const SIGNED_FIELDS = [
  'version',
  'path',
  'sha512',
  'files',
  'packages',
  'blockMaps',
] as const;
/** Added by update:sign: `{ "<name>.blockmap": "<sha512, base64>" }` for every blockmap in the feed. */
export const BLOCKMAPS_FIELD = 'blockMaps';

export type SignatureVerdict =
  { ok: true } | { ok: false; reason: 'unsigned' | 'bad-signature'; message: string };

/** The exact bytes that are signed for `info` (a parsed `latest*.yml`) served as `channelFile`. */
export function signedPayload(channelFile: string, info: Record<string, unknown>): Buffer {
  const signed: Record<string, unknown> = {};
  for (const field of SIGNED_FIELDS) signed[field] = info[field] ?? null;
  return Buffer.from(`${PAYLOAD_HEADER}\n${channelFile}\n${canonicalJson(signed)}`, 'utf8');
}

/** The value for the `signature` field of `info` served as `channelFile`. */
export function signUpdateInfo(
  channelFile: string,
  info: Record<string, unknown>,
  privateKey: KeyObject,
): string {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error(
      `the signing key must be an Ed25519 private key (got ${privateKey.asymmetricKeyType})`,
    );
  return (
    SIGNATURE_PREFIX + sign(null, signedPayload(channelFile, info), privateKey).toString('base64')
  );
}

/** Checks the signature inside `info` (as parsed from `channelFile`) against the build's key. */
export function verifyUpdateInfo(
  channelFile: string,
  info: Record<string, unknown>,
  publicKey: KeyObject,
): SignatureVerdict {
  const value = info[SIGNATURE_FIELD];
  if (value === undefined || value === null || value === '')
    return { ok: false, reason: 'unsigned', message: `${channelFile} is not signed.` };
  if (typeof value !== 'string' || !value.startsWith(SIGNATURE_PREFIX))
    return {
      ok: false,
      reason: 'bad-signature',
      message: `${channelFile} has a signature this app cannot read (expected "${SIGNATURE_PREFIX}<base64>").`,
    };
  const signature = Buffer.from(value.slice(SIGNATURE_PREFIX.length), 'base64');
  let valid: boolean;
  try {
    valid = verify(null, signedPayload(channelFile, info), publicKey, signature);
  } catch {
    valid = false; // a signature of the wrong length, say
  }
  return valid
    ? { ok: true }
    : {
        ok: false,
        reason: 'bad-signature',
        message: `${channelFile} does not match its signature: it was changed after signing, or signed with another key.`,
      };
}

/** JSON with object keys sorted at every level; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}
