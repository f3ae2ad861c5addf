/**
 * The Electron journeys (test/electron/) cannot go stale: what they expect of the app window is read
 * from the contract and the shell's policy (test/electron/expectations.ts), and this checks that
 * reading against the preload's real output, so adding a channel (or an event) to the contract
 * without the journey following fails here, under Node, long before anyone runs Electron.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { expectedPageFacts, isAppUrl } from '../electron/expectations.ts';

const exposed = vi.hoisted(() => new Map<string, unknown>());
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: async () => undefined,
    on: () => undefined,
    removeListener: () => undefined,
  },
}));
await import('../../src-preload/ipc-bridge.ts');

const journeysDir = fileURLToPath(new URL('../electron/', import.meta.url));
const journeys = readdirSync(journeysDir)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: readFileSync(path.join(journeysDir, file), 'utf8') }));

describe('the Electron journeys read what they expect from the code', () => {
  it('window.auth’s members are exactly what the preload exposes (every channel and event of the contract)', () => {
    const preload = Object.keys(exposed.get('auth') as object).sort();
    expect(expectedPageFacts().auth).toEqual(preload);
    expect(preload.length).toBeGreaterThan(8); // the stale list had 8; the preload has more
  });

  it('the page-facts journey compares with that reading, not with a list of its own', () => {
    const app = journeys.find((journey) => journey.file === 'app.spec.ts')?.text ?? '';
    expect(app).toContain('expect(facts).toEqual(expectedPageFacts());');
    for (const { file, text } of journeys) {
      // A bridge method named in a journey's own list would go stale the day a channel is added.
      expect(text, file).not.toMatch(/'onSessionChanged'|'onOpenSettings'|'getMessage',/);
    }
  });

  it('app:// URLs are compared as scheme + host: new URL(…).origin is "null" for app:', () => {
    expect(new URL('app://renderer/index.html').origin).toBe('null');
    expect(isAppUrl('app://renderer/index.html#/profile')).toBe(true);
    expect(isAppUrl('app://evil/index.html')).toBe(false);
    expect(isAppUrl('https://renderer/')).toBe(false);
    for (const { file, text } of journeys) {
      expect(text, file).not.toMatch(/new URL\([^)]*\)\.origin|\.origin\)\.toBe\('app:/);
    }
  });
});
