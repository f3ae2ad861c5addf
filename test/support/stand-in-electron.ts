/**
 * A stand-in Electron release, for proving the download and packaging paths where Electron's real
 * binary cannot be had: Electron's archive layout (`electron-v<version>-<platform>-<arch>.zip` with
 * the executable where path.txt will point, `version`, `LICENSE`, `locales/`) plus `SHASUMS256.txt`,
 * served as a mirror on 127.0.0.1 (ELECTRON_MIRROR), and a fresh copy of the project whose
 * node_modules/electron has never downloaded anything.
 *
 * The stand-in executable is a shell script that records how it was started (its own path, the
 * working directory, then one argument a line) into $STAND_IN_ELECTRON_RECORD and exits with
 * $STAND_IN_ELECTRON_EXIT_CODE (default 0).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { platformExecutableName } from '../../scripts/electron-binary.ts';

export const STAND_IN_SCRIPT = `#!/bin/sh
# Stand-in for Electron's executable (tests only): record how it was started, then exit.
if [ -n "$STAND_IN_ELECTRON_RECORD" ]; then
  { printf '%s\\n' "$0" "$PWD"; for arg in "$@"; do printf '%s\\n' "$arg"; done; } > "$STAND_IN_ELECTRON_RECORD"
fi
exit "\${STAND_IN_ELECTRON_EXIT_CODE:-0}"
`;

export interface ZipEntry {
  name: string;
  data: Buffer | string;
  /** Unix permission bits (default 0o644). */
  mode?: number;
}

/** A stored (uncompressed) zip with Unix permissions, enough for Electron's extractor. */
export function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data);
    const name = Buffer.from(entry.name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0, 10); // time, date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the external attributes carry the mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(0, 30); // extra, comment length
    central.writeUInt32LE(0, 34); // disk, internal attributes
    central.writeUInt32LE((((entry.mode ?? 0o644) | 0o100000) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** The file name @electron/get asks a mirror for. */
export function electronZipName(
  version: string,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string {
  return `electron-v${version}-${platform}-${arch}.zip`;
}

/** A stand-in Electron release zip for this machine, in Electron's layout. */
export function standInElectronZip(
  version: string,
  platform: NodeJS.Platform = process.platform,
): Buffer {
  return zip([
    { name: platformExecutableName(platform), data: STAND_IN_SCRIPT, mode: 0o755 },
    { name: 'version', data: `v${version}` },
    { name: 'LICENSE', data: 'Stand-in for the Electron license (tests only).\n' },
    { name: 'locales/en-US.pak', data: 'stand-in' },
  ]);
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface Mirror {
  /** ELECTRON_MIRROR: ends with a slash; files are under `v<version>/`. */
  url: string;
  /** Every path asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `files` (path under the mirror → content) on 127.0.0.1; anything else is a 404. */
export async function serveMirror(files: Record<string, Buffer | string>): Promise<Mirror> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://mirror').pathname;
    requests.push(pathname);
    const body = files[pathname.slice(1)];
    if (body === undefined) {
      res.writeHead(404).end('Not Found');
      return;
    }
    res
      .writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': Buffer.byteLength(body),
      })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The mirror files for `version`: the stand-in zip and a SHASUMS256.txt naming its hash (or `checksum`). */
export function standInRelease(
  version: string,
  checksum?: string,
): Record<string, Buffer | string> {
  const archive = standInElectronZip(version);
  const name = electronZipName(version);
  return {
    [`v${version}/${name}`]: archive,
    [`v${version}/SHASUMS256.txt`]: `${checksum ?? sha256(archive)} *${name}\n`,
  };
}

/**
 * A fresh copy of the project at `target`, as a clone plus `npm ci` would leave it, without the
 * network: the project's files (tracked and new, as in the working tree), node_modules linked entry by
 * entry to the project's, except node_modules/electron, which is the package's own files only (no
 * dist/, no path.txt: never downloaded).
 */
export function freshProjectCopy(projectRoot: string, target: string): void {
  const listed = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: projectRoot, encoding: 'utf8' },
  );
  for (const file of listed.split('\0').filter(Boolean)) {
    const from = path.join(projectRoot, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    cpSync(from, path.join(target, file));
  }
  const modules = path.join(projectRoot, 'node_modules');
  mkdirSync(path.join(target, 'node_modules', 'electron'), { recursive: true });
  for (const entry of readdirSync(modules)) {
    if (entry === 'electron' || entry === '.vite' || entry === '.vite-temp' || entry === '.cache')
      continue;
    symlinkSync(path.join(modules, entry), path.join(target, 'node_modules', entry));
  }
  const electronPackage = path.join(modules, 'electron');
  const { files } = JSON.parse(
    readFileSync(path.join(electronPackage, 'package.json'), 'utf8'),
  ) as { files: string[] };
  for (const file of ['package.json', ...files]) {
    if (existsSync(path.join(electronPackage, file)))
      cpSync(path.join(electronPackage, file), path.join(target, 'node_modules', 'electron', file));
  }
}

/** The fuse sentinel and Electron's default fuse wire, as @electron/fuses documents and reads them. */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/**
 * Version 1, 8 fuses, Electron's defaults: RunAsNode on, EnableCookieEncryption off,
 * EnableNodeOptionsEnvironmentVariable on, EnableNodeCliInspectArguments on,
 * EnableEmbeddedAsarIntegrityValidation off, OnlyLoadAppFromAsar off,
 * LoadBrowserProcessSpecificV8Snapshot off, GrantFileProtocolExtraPrivileges on.
 */
export const DEFAULT_FUSE_WIRE = Buffer.concat([
  Buffer.from(FUSE_SENTINEL),
  Buffer.from([1, 8]),
  Buffer.from('10110001'),
]);

/**
 * An unpacked stand-in Electron for Linux (electron-builder's `electronDist`): an executable named
 * `electron` carrying the fuse wire, LICENSE, locales/, and the default_app.asar a real one has.
 */
export function standInElectronDist(dir: string): void {
  mkdirSync(path.join(dir, 'locales'), { recursive: true });
  mkdirSync(path.join(dir, 'resources'), { recursive: true });
  writeFileSync(
    path.join(dir, 'electron'),
    Buffer.concat([
      Buffer.from(STAND_IN_SCRIPT),
      Buffer.from('# '),
      DEFAULT_FUSE_WIRE,
      Buffer.from('\n'),
    ]),
    { mode: 0o755 },
  );
  writeFileSync(path.join(dir, 'LICENSE'), 'Stand-in for the Electron license (tests only).\n');
  writeFileSync(path.join(dir, 'locales', 'en-US.pak'), 'stand-in');
  writeFileSync(path.join(dir, 'resources', 'default_app.asar'), 'stand-in');
  writeFileSync(path.join(dir, 'version'), 'stand-in');
}

export interface ElectronDevRun {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  exited: Promise<number | null>;
  /** Ends the run: npm, Vite and anything they started (their own process group). */
  stop(): void;
}

/** `npm run electron:dev` in `project`, its dev server on 127.0.0.1:`port`. */
export function runElectronDev(
  project: string,
  env: NodeJS.ProcessEnv,
  port: number,
): ElectronDevRun {
  const child = spawn(
    'npm',
    ['run', 'electron:dev', '--', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    {
      cwd: project,
      env,
      detached: true, // its own process group: npm, vite and whatever it starts end together
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    stop() {
      if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

/** Polls `condition` every 50 ms until it holds, or throws after `timeoutMs` naming `what()`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
