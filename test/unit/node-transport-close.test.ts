/**
 * Closing the Node transport is safe to repeat: a host closed twice (a quit during a restart, a
 * test's afterAll after the test closed it) must not fail with undici's "The client is destroyed"
 * (it did: network-settings.test.ts failed as a suite in a full run, all its tests green).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createNodeTransport } from '../../src-main/core/network/node-transport.ts';
import { NO_PROXY_CONFIG } from '../../src-main/core/network/proxy-settings.ts';

describe('the Node transport', () => {
  it('closes once, however often it is asked to, after it was used', async () => {
    const server = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const transport = createNodeTransport({ proxy: NO_PROXY_CONFIG });
      const answer = await transport.fetchFor('API_SERVER_URL')(`http://127.0.0.1:${port}/`);
      expect(await answer.text()).toBe('ok');
      await transport.close();
      await expect(transport.close()).resolves.toBeUndefined();
    } finally {
      server.close();
    }
  });
});
