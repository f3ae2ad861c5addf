/**
 * The built-in demo provider never blocks start: when another program holds its ports (4000, 6060)
 * it listens on others, remembers them in its data folder, and asks for the same ones next time, so
 * a session stored against that issuer stays valid.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureFromEnvironment } from '../../src-main/core/index.ts';
import { heldPort } from '../support/ports.ts';

const held: Array<Server | undefined> = [];
beforeAll(async () => {
  held.push(await heldPort(4000), await heldPort(6060));
});
afterAll(async () => {
  await Promise.all(
    held.map((server) => server && new Promise((resolve) => server.close(resolve))),
  );
});

describe('the demo provider with its default ports held by another program', () => {
  it('starts on other ports, says so, remembers them and takes the same ones again at the next start', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'devstack-ports-'));
    const first = await configureFromEnvironment({}, { devstackDataDir: dataDir });
    let issuer: string;
    let api: string;
    try {
      issuer = first.config.issuer.href;
      api = first.config.apiServerUrl.href;
      expect(first.config.issuer.port).not.toBe('4000');
      expect(first.config.apiServerUrl.port).not.toBe('6060');
      expect(first.summary).toContain(
        `Port 4000 is in use: the identity provider listens on ${first.config.issuer.port} instead (remembered for next time).`,
      );
      expect(first.summary).toContain(
        `Port 6060 is in use: the Hello World API listens on ${first.config.apiServerUrl.port} instead`,
      );
      // It really serves there: discovery names that issuer, the API answers.
      expect(
        await (await fetch(new URL('.well-known/openid-configuration', issuer))).json(),
      ).toMatchObject({ issuer: issuer.replace(/\/$/, '') });
      expect(await (await fetch(new URL('api/messages/public', api))).json()).toEqual({
        text: 'This is a public message.',
      });
      expect(JSON.parse(readFileSync(path.join(dataDir, 'ports.json'), 'utf8'))).toEqual({
        version: 1,
        idp: Number(first.config.issuer.port),
        api: Number(first.config.apiServerUrl.port),
      });
    } finally {
      await first.stop();
    }
    const second = await configureFromEnvironment({}, { devstackDataDir: dataDir });
    try {
      expect(second.config.issuer.href).toBe(issuer);
      expect(second.config.apiServerUrl.href).toBe(api);
      // The remembered ports were free: nothing to report.
      expect(second.summary).not.toContain('is in use');
    } finally {
      await second.stop();
    }
  });

  it('without a data folder still starts (any free ports), and remembers nothing', async () => {
    const configured = await configureFromEnvironment({});
    try {
      expect(configured.config.issuer.port).not.toBe('4000');
      expect(configured.summary).toMatch(
        /Port 4000 is in use: the identity provider listens on \d+ instead\.\n/,
      );
    } finally {
      await configured.stop();
    }
  });
});
