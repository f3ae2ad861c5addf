import { describe, expect, it, vi } from 'vitest';
import { AppLinkReceiver, parseAppLink } from '../../src-main/core/app-link.ts';

const SCHEME = 'com.example.app';

describe('parseAppLink: only <scheme>:/callback exactly', () => {
  it('takes the redirect URI with its query, whatever the scheme case (URL schemes are case-insensitive)', () => {
    const url = parseAppLink('COM.Example.App:/callback?code=c&state=s&iss=x', SCHEME);
    expect(url).toBeInstanceOf(URL);
    expect((url as URL).searchParams.get('code')).toBe('c');
  });

  it.each([
    ['another scheme', 'com.example.other:/callback?code=c'],
    ['a scheme that merely starts like ours', 'com.example.app2:/callback?code=c'],
    ['another path', 'com.example.app:/callbacks?code=c'],
    ['a longer path', 'com.example.app:/callback/x?code=c'],
    ['an authority ("//callback" is a host)', 'com.example.app://callback?code=c'],
    ['http', 'http://127.0.0.1/callback?code=c'],
  ])('refuses %s', (_name, raw) => {
    expect(parseAppLink(raw, SCHEME)).toBe('wrong-scheme-or-path');
  });

  it('refuses a fragment, a non-URL and an overlong URL', () => {
    expect(parseAppLink('com.example.app:/callback?code=c#x', SCHEME)).toBe('fragment');
    expect(parseAppLink('not a url', SCHEME)).toBe('not-a-url');
    expect(parseAppLink(`com.example.app:/callback?code=${'a'.repeat(9000)}`, SCHEME)).toBe(
      'too-long',
    );
  });
});

describe('AppLinkReceiver', () => {
  it('takes one URL, then refuses every other', async () => {
    const receiver = new AppLinkReceiver({ scheme: SCHEME });
    receiver.expectState('s1');
    expect(receiver.redirectUri).toBe('com.example.app:/callback');
    expect(receiver.deliver('com.example.app:/other?code=c&state=s1')).toBe('wrong-scheme-or-path');
    expect(receiver.deliver('com.example.app:/callback?code=first&state=s1')).toBeUndefined();
    expect(receiver.deliver('com.example.app:/callback?code=second&state=s1')).toBe(
      'already-delivered',
    );
    expect((await receiver.arrival).searchParams.get('code')).toBe('first');
    receiver.close();
  });

  it.each([
    ['no state', 'com.example.app:/callback?code=c'],
    ['an empty state', 'com.example.app:/callback?code=c&state='],
    ['another state', 'com.example.app:/callback?code=c&state=attacker'],
    ['a longer state', 'com.example.app:/callback?code=c&state=the-state-x'],
    ['a prefix of the state', 'com.example.app:/callback?code=c&state=the-stat'],
    ['the state in another case', 'com.example.app:/callback?code=c&state=THE-STATE'],
  ])('refuses %s and goes on waiting for the real one', async (_name, raw) => {
    const receiver = new AppLinkReceiver({ scheme: SCHEME });
    receiver.expectState('the-state');
    expect(receiver.deliver(raw)).toBe('wrong-state');
    expect(receiver.deliver('com.example.app:/callback?code=real&state=the-state')).toBeUndefined();
    expect((await receiver.arrival).searchParams.get('code')).toBe('real');
    receiver.close();
  });

  it('takes nothing before it knows its state', () => {
    const receiver = new AppLinkReceiver({ scheme: SCHEME });
    expect(receiver.deliver('com.example.app:/callback?code=c&state=s')).toBe('wrong-state');
    receiver.close();
  });

  it('refuses everything once closed, and ends the wait as cancelled', async () => {
    const receiver = new AppLinkReceiver({ scheme: SCHEME });
    receiver.close();
    await expect(receiver.arrival).rejects.toMatchObject({ code: 'sign_in_cancelled' });
    expect(receiver.deliver('com.example.app:/callback?code=c')).toBe('not-waiting');
  });

  it('ends the wait on abort and on timeout', async () => {
    const abort = new AbortController();
    const aborted = new AppLinkReceiver({ scheme: SCHEME, signal: abort.signal });
    abort.abort();
    await expect(aborted.arrival).rejects.toMatchObject({ code: 'sign_in_cancelled' });

    vi.useFakeTimers();
    try {
      const timed = new AppLinkReceiver({ scheme: SCHEME, timeoutMs: 1000 });
      vi.advanceTimersByTime(1001);
      await expect(timed.arrival).rejects.toMatchObject({ code: 'sign_in_timeout' });
      expect(timed.deliver('com.example.app:/callback?code=c')).toBe('not-waiting');
    } finally {
      vi.useRealTimers();
    }
  });
});
