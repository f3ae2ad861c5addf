/**
 * Signs an update feed for the release job (issue 20):
 *
 *   npm run update:sign -- <feed-folder> --key <private-key.pem>
 *
 * Every `latest*.yml` in the folder gets, in place: `blockMaps` (the sha512 of every `*.blockmap`
 * in the folder, so the app uses no blockmap the release did not publish) and `signature`
 * (Ed25519, over what src-main/core/updates/update-signature.ts says is signed). Before signing it
 * checks that each file the yml names and the folder holds has the size and sha512 the yml states:
 * a signature vouches for what is there. Run it again after any change to a yml (the staging
 * percentage is not signed and may change without it).
 *
 * The key: an Ed25519 private key in PEM (`openssl genpkey -algorithm ed25519 -out update-key.pem`);
 * the line printed at the end is the matching `UPDATE_PUBLIC_KEY` the app must be built with.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import {
  BLOCKMAPS_FIELD,
  SIGNATURE_FIELD,
  signUpdateInfo,
} from '../src-main/core/updates/update-signature.ts';

export interface SignedChannel {
  file: string;
  version: string;
  files: number;
  blockMaps: number;
}

/** Signs every latest*.yml in `folder` in place; throws (changing nothing) on the first problem. */
export function signFeed(folder: string, privateKey: KeyObject): SignedChannel[] {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error(
      `the key must be an Ed25519 private key (this one is ${privateKey.asymmetricKeyType})`,
    );
  const names = readdirSync(folder).sort();
  const channels = names.filter((name) => /^latest.*\.yml$/.test(name));
  if (channels.length === 0) throw new Error(`${folder} holds no latest*.yml to sign`);
  const blockMaps: Record<string, string> = {};
  for (const name of names.filter((name) => name.endsWith('.blockmap')))
    blockMaps[name] = sha512Of(path.join(folder, name));

  const signed: Array<{ file: string; text: string; summary: SignedChannel }> = [];
  for (const name of channels) {
    const file = path.join(folder, name);
    const info = load(readFileSync(file, 'utf8'));
    if (typeof info !== 'object' || info === null || Array.isArray(info))
      throw new Error(`${name} is not update metadata (a YAML mapping)`);
    const record = info as Record<string, unknown>;
    if (typeof record.version !== 'string') throw new Error(`${name} has no version`);
    const entries = Array.isArray(record.files) ? (record.files as unknown[]) : [];
    for (const entry of entries) checkFileEntry(folder, name, entry);
    delete record[SIGNATURE_FIELD];
    if (Object.keys(blockMaps).length) record[BLOCKMAPS_FIELD] = blockMaps;
    else delete record[BLOCKMAPS_FIELD];
    record[SIGNATURE_FIELD] = signUpdateInfo(name, record, privateKey);
    signed.push({
      file,
      // electron-builder's own YAML settings (builder-util serializeToYaml).
      text: dump(record, { lineWidth: 8000, noRefs: true }),
      summary: {
        file: name,
        version: record.version,
        files: entries.length,
        blockMaps: Object.keys(blockMaps).length,
      },
    });
  }
  for (const { file, text } of signed) {
    const temporary = `${file}.signing`;
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  }
  return signed.map(({ summary }) => summary);
}

/** `UPDATE_PUBLIC_KEY` for a private key: base64 SPKI DER, one line. */
export function publicKeyLine(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
}

function checkFileEntry(folder: string, channel: string, entry: unknown): void {
  if (typeof entry !== 'object' || entry === null)
    throw new Error(`${channel}: a files entry is not a mapping`);
  const { url, sha512, size } = entry as Record<string, unknown>;
  if (typeof url !== 'string' || typeof sha512 !== 'string')
    throw new Error(`${channel}: every files entry needs a url and a sha512`);
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return; // hosted elsewhere: not here to check
  const local = path.join(folder, decodeURIComponent(url));
  let stat;
  try {
    stat = statSync(local);
  } catch {
    return; // uploaded separately; the app checks the sha512 when it downloads
  }
  if (typeof size === 'number' && stat.size !== size)
    throw new Error(`${channel}: ${url} is ${stat.size} bytes, the yml says ${size}`);
  if (sha512Of(local) !== sha512)
    throw new Error(`${channel}: ${url} does not have the sha512 the yml states`);
}

function sha512Of(file: string): string {
  return createHash('sha512').update(readFileSync(file)).digest('base64');
}

function readPrivateKey(file: string): KeyObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the key ${file} (${(error as NodeJS.ErrnoException).code})`, {
      cause: error,
    });
  }
  try {
    return createPrivateKey(text);
  } catch {
    throw new Error(`${file} is not a private key in PEM`);
  }
}

if (import.meta.filename === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--key');
  const keyFile = at >= 0 ? args[at + 1] : undefined;
  const folder = args.filter((_, index) => index !== at && index !== at + 1)[0];
  try {
    if (!folder || !keyFile || args.length !== 3)
      throw new Error('usage: npm run update:sign -- <feed-folder> --key <private-key.pem>');
    const key = readPrivateKey(keyFile);
    for (const channel of signFeed(folder, key))
      console.log(
        `signed ${channel.file}: version ${channel.version}, ${channel.files} file(s), ${channel.blockMaps} blockmap(s)`,
      );
    console.log(`UPDATE_PUBLIC_KEY=${publicKeyLine(key)}`);
  } catch (error) {
    console.error(`update:sign: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
