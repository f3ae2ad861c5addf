/**
 * What a person reads when something goes wrong: one sentence per error code, and never the raw
 * message of an error the core did not phrase (a library's, Node's, a bug's), which goes to the log.
 */
import { describe, expect, it } from 'vitest';
import {
  CoreError,
  ERROR_SENTENCES,
  providerError,
  toAppError,
} from '../../src-main/core/errors.ts';
import { MessageService } from '../../src-main/core/messages.ts';
import type { SessionManager } from '../../src-main/core/session.ts';
import { envTransport } from '../support/transport.ts';

/** A message no person should read: a path, an errno, an internal name. */
const FOREIGN = "EACCES: permission denied, open '/home/alice/.config/app/vault.json'";

function recordingErrors() {
  const lines: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  return {
    lines,
    log: {
      error: (message: string, fields?: Record<string, unknown>) => lines.push({ message, fields }),
    },
  };
}

describe('error sentences', () => {
  it.each(Object.entries(ERROR_SENTENCES))('%s has one readable sentence', (_code, sentence) => {
    expect(sentence).toMatch(/^[A-Z].*[.]$/);
    expect(sentence).not.toMatch(/\$\{|undefined|_/);
  });

  it('a CoreError without a message of its own says its code’s sentence', () => {
    expect(toAppError(new CoreError('sign_in_cancelled'))).toEqual({
      code: 'sign_in_cancelled',
      message: 'Sign-in was cancelled.',
    });
    expect(toAppError(new CoreError('session_expired', undefined, { status: 400 }))).toEqual({
      code: 'session_expired',
      message: ERROR_SENTENCES.session_expired,
      status: 400,
    });
  });

  it('a CoreError keeps the sentence the core wrote for it', () => {
    const said = 'The sign-in code has expired. Get a new code to try again.';
    expect(toAppError(new CoreError('code_expired', said)).message).toBe(said);
  });
});

describe('toAppError never forwards a foreign message', () => {
  it.each([
    ['an Error', new Error(FOREIGN)],
    ['a TypeError', new TypeError(FOREIGN)],
    ['a thrown string', FOREIGN],
  ])('%s: the UI gets the internal sentence, the log gets the message', (_what, thrown) => {
    const { lines, log } = recordingErrors();
    const shown = toAppError(thrown, log);
    expect(shown).toEqual({ code: 'internal', message: ERROR_SENTENCES.internal });
    expect(JSON.stringify(shown)).not.toContain('EACCES');
    expect(lines).toEqual([
      { message: 'unexpected error', fields: expect.objectContaining({ message: FOREIGN }) },
    ]);
  });

  it('a provider call failing for no protocol reason: the sentence, the cause logged', () => {
    const mapped = providerError(new Error(FOREIGN), 'https://id.example.com/');
    const { lines, log } = recordingErrors();
    const shown = toAppError(mapped, log);
    expect(shown.code).toBe('internal');
    expect(shown.message).not.toContain('EACCES');
    expect(shown.message).toMatch(/sign-in service/);
    expect(lines[0]?.fields).toMatchObject({ message: FOREIGN });
  });

  it('a protocol error keeps the provider’s own words', () => {
    const mapped = providerError(new TypeError('fetch failed'), 'https://id.example.com/');
    expect(toAppError(mapped)).toMatchObject({ code: 'provider_unreachable' });
    expect(toAppError(mapped).message).toContain('https://id.example.com/');
  });

  it('Protected page: an unexpected failure before the API call shows the sentence', async () => {
    const session = {
      apiCredential: () => Promise.reject(new Error(FOREIGN)),
    } as unknown as SessionManager;
    const { lines, log } = recordingErrors();
    const messages = new MessageService(
      new URL('http://127.0.0.1:9/'),
      session,
      envTransport().fetchFor('API_SERVER_URL'),
      log,
    );
    expect(await messages.get('protected')).toEqual({
      ok: false,
      error: { code: 'internal', message: ERROR_SENTENCES.internal },
    });
    expect(lines[0]?.fields).toMatchObject({ message: FOREIGN });
  });
});
