/**
 * The app's log file (src-main/electron/app-log.ts) as a user and an attacker would find it on disk:
 * main.log in the folder it was given, owner-only, rotated at its limit into main.old.log, and never
 * a token, code or secret in it whatever the log call passed. Real files in a temporary folder,
 * through the real electron-log (Node flavour); no Electron.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  LOG_FILE_MODE,
  LOG_FILE_NAME,
  LOG_MAX_BYTES,
  createFileLog,
  teeLogger,
} from '../../src-main/electron/app-log.ts';
import { REDACTED } from '../../src-main/core/redact.ts';

/** A JWT-shaped string, made at run time so no token-like literal is committed. */
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ sub: 'auth0|alice' })}.${Buffer.from('signature').toString('base64url')}`;
const posix = process.platform !== 'win32';

function freshDir(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'app-log-')), 'logs');
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('createFileLog', () => {
  it('writes one timestamped, levelled line per event to main.log in the folder it is given (created if missing)', () => {
    const dir = freshDir();
    const { file, logger } = createFileLog({ dir, scope: 'electron' });
    expect(file).toBe(path.join(dir, LOG_FILE_NAME));
    logger.info('started', { provider: 'http://127.0.0.1:4000' });
    logger.warn('could not open a link');
    logger.error('restoring the session failed', { message: 'invalid_grant' });
    const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] \[info\] +\[electron\] started \{"provider":"http:\/\/127\.0\.0\.1:4000"\}$/,
    );
    expect(lines[1]).toMatch(/\[warn\] +\[electron\] could not open a link$/);
    expect(lines[2]).toMatch(
      /\[error\] +\[electron\] restoring the session failed \{"message":"invalid_grant"\}$/,
    );
  });

  it('keeps %-templates and objects as written (nothing is formatted by the library)', () => {
    const { file, logger } = createFileLog({ dir: freshDir() });
    logger.info('100%s sure %d', { nested: { list: [1, 2] } });
    expect(readFileSync(file, 'utf8')).toContain('100%s sure %d {"nested":{"list":[1,2]}}');
  });

  it('never writes a token, code, verifier or secret field, whatever the call passes', () => {
    const { file, logger } = createFileLog({ dir: freshDir() });
    logger.info(
      `callback http://127.0.0.1:53682/callback?code=SPLxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj`,
      {
        accessToken: 'opaque-access-token-value',
        refresh_token: 'opaque-refresh-token-value',
        code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
        headers: { Authorization: `DPoP ${JWT}` },
        idToken: JWT,
        client_secret: 'never-exists',
        note: `embedded ${JWT} in text`,
      },
    );
    logger.error(`Bearer ${JWT}`);
    const text = readFileSync(file, 'utf8');
    for (const secret of [
      'SPLxlOBeZQQYbYS6WxSbIA',
      'af0ifjsldkj',
      'opaque-access-token-value',
      'opaque-refresh-token-value',
      'dBjftJeZ4CVP',
      JWT,
      'eyJ',
      'never-exists',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain(REDACTED);
    expect(text).toContain('http://127.0.0.1:53682/callback?code=');
  });

  it.runIf(posix)(
    'creates the file owner-only (0600), and makes an existing one owner-only too',
    () => {
      const dir = freshDir();
      createFileLog({ dir }).logger.info('first');
      expect(modeOf(path.join(dir, LOG_FILE_NAME))).toBe(LOG_FILE_MODE);

      const other = freshDir();
      mkdirSync(other, { recursive: true });
      writeFileSync(path.join(other, LOG_FILE_NAME), 'an old line\n', { mode: 0o644 });
      chmodSync(path.join(other, LOG_FILE_NAME), 0o644);
      createFileLog({ dir: other });
      expect(modeOf(path.join(other, LOG_FILE_NAME))).toBe(LOG_FILE_MODE);
    },
  );

  it(`rotates at its limit (${LOG_MAX_BYTES} bytes by default) into main.old.log: two files at most, the newest lines kept`, () => {
    expect(LOG_MAX_BYTES).toBe(1024 * 1024);
    const dir = freshDir();
    const maxBytes = 4096;
    const { file, logger } = createFileLog({ dir, maxBytes });
    for (let i = 0; i < 400; i++) logger.info(`event ${i} ${'x'.repeat(40)}`);
    expect(readdirSync(dir).sort()).toEqual(['main.log', 'main.old.log']);
    // Rotation happens before a write that finds the file over the limit: at most one line beyond it.
    expect(statSync(file).size).toBeLessThanOrEqual(maxBytes + 200);
    expect(statSync(path.join(dir, 'main.old.log')).size).toBeLessThanOrEqual(maxBytes + 200);
    expect(readFileSync(file, 'utf8')).toContain('event 399 ');
    if (posix) {
      expect(modeOf(file)).toBe(LOG_FILE_MODE);
      expect(modeOf(path.join(dir, 'main.old.log'))).toBe(LOG_FILE_MODE);
    }
  });

  it('two logs in two folders do not mix', () => {
    const a = createFileLog({ dir: freshDir() });
    const b = createFileLog({ dir: freshDir() });
    a.logger.info('only in a');
    b.logger.info('only in b');
    expect(readFileSync(a.file, 'utf8')).not.toContain('only in b');
    expect(readFileSync(b.file, 'utf8')).not.toContain('only in a');
  });
});

describe('the log wiring', () => {
  it('app-log.ts loads only electron-log’s Node flavour: no Electron module, no IPC or remote transport', () => {
    const source = readFileSync(
      new URL('../../src-main/electron/app-log.ts', import.meta.url),
      'utf8',
    );
    const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1]);
    expect(imports.filter((name) => name?.includes('electron'))).toEqual(['electron-log/node']);
  });

  it('teeLogger gives every line to each logger, in order', () => {
    const calls: string[] = [];
    const record = (name: string) => ({
      info: vi.fn((message: string) => calls.push(`${name}:info:${message}`)),
      warn: vi.fn((message: string) => calls.push(`${name}:warn:${message}`)),
      error: vi.fn((message: string) => calls.push(`${name}:error:${message}`)),
    });
    const tee = teeLogger(record('console'), record('file'));
    tee.info('a');
    tee.error('b', { x: 1 });
    expect(calls).toEqual(['console:info:a', 'file:info:a', 'console:error:b', 'file:error:b']);
  });
});
