import type { Logger } from '../../src-main/core/platform.ts';

/** A logger that keeps every line it is given as the host would write it: `level message {fields}`. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, info: record('info'), warn: record('warn'), error: record('error') };
}
