/**
 * The app's log file: what a user finds with Help → Open Logs Folder and sends with a bug report.
 *
 * Written by electron-log (MIT, no dependencies, no install script) in its Node flavour
 * (`electron-log/node`): the main process's file transport only. That flavour never touches
 * Electron: no IPC transport to or from renderers (its IPC hooks are no-ops in Node, and the
 * transport is switched off besides), no remote transport, no renderer preload. main.ts gives it
 * `app.getPath('logs')`.
 *
 *   <logs>/main.log       one line per event, owner-only (0600)
 *   <logs>/main.old.log   the previous file, once main.log passed LOG_MAX_BYTES (at most ~2 MiB in all)
 *
 * Every line passes the project's redaction first (core/redact.ts): no token, code, verifier or
 * secret field reaches the disk, whatever a log call passes.
 */
import { chmodSync } from 'node:fs';
import path from 'node:path';
import electronLog from 'electron-log/node';
import type { Logger } from '../core/platform.ts';
import { redactingLogger } from '../core/redact.ts';

export const LOG_FILE_NAME = 'main.log';
/** Rotation point: a month of ordinary use is a few hundred kB; a bug report stays small enough to attach. */
export const LOG_MAX_BYTES = 1024 * 1024;
/** Owner read/write only: a log names the provider, the user's account id and what failed. */
export const LOG_FILE_MODE = 0o600;

export interface FileLog {
  /** The log file's path (its folder is what Open Logs Folder opens). */
  file: string;
  logger: Logger;
}

export interface FileLogOptions {
  /** The folder to write in: `app.getPath('logs')`. */
  dir: string;
  maxBytes?: number;
  /** Prefixed to every line, e.g. `electron`. */
  scope?: string;
}

let instances = 0;

export function createFileLog(options: FileLogOptions): FileLog {
  const file = path.join(options.dir, LOG_FILE_NAME);
  // One electron-log instance per file (the default one is shared module state).
  const log = electronLog.create({ logId: `app-log-${++instances}` });
  for (const name of ['console', 'ipc', 'remote'] as const) {
    const transport = log.transports[name as keyof typeof log.transports] as
      { level: unknown } | undefined;
    if (transport) transport.level = false;
  }
  const transport = log.transports.file;
  transport.level = 'info';
  transport.resolvePathFn = () => file;
  // electron-log works out an app name (from the nearest package.json) before its first write, and
  // fails every write when it finds none; our path does not use it, so it is given one.
  transport.setAppName('app');
  transport.maxSize = options.maxBytes ?? LOG_MAX_BYTES;
  // The mode applies when the file is created (also the fresh main.log after a rotation).
  transport.writeOptions = { flag: 'a', mode: LOG_FILE_MODE, encoding: 'utf8' };
  // UTC timestamps: a bug report is read in another time zone. The level is padded to align the lines.
  transport.format = '[{iso}] [{level}] {text}';
  // A file left by an older version, or copied in, is made owner-only too.
  for (const existing of [file, path.join(options.dir, 'main.old.log')]) {
    try {
      chmodSync(existing, LOG_FILE_MODE);
    } catch {
      // not there (yet)
    }
  }

  const prefix = options.scope ? `[${options.scope}] ` : '';
  // One string per line: electron-log formats nothing of ours (no %s templates, no object inspection).
  const line = (message: string, fields?: Record<string, unknown>) =>
    fields && Object.keys(fields).length > 0
      ? `${prefix}${message} ${JSON.stringify(fields)}`
      : `${prefix}${message}`;
  return {
    file,
    logger: redactingLogger({
      info: (message, fields) => log.info(line(message, fields)),
      warn: (message, fields) => log.warn(line(message, fields)),
      error: (message, fields) => log.error(line(message, fields)),
    }),
  };
}

/** Every line to each logger in turn (the console for a developer, the file for the user). */
export function teeLogger(...loggers: Logger[]): Logger {
  return {
    info: (message, fields) => loggers.forEach((each) => each.info(message, fields)),
    warn: (message, fields) => loggers.forEach((each) => each.warn(message, fields)),
    error: (message, fields) => loggers.forEach((each) => each.error(message, fields)),
  };
}
