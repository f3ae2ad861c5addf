/**
 * Ports on 127.0.0.1 for tests: one held busy, or one that nothing listens on. Loopback only, like
 * every other server the tests start.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';

/**
 * A TCP server listening on 127.0.0.1:`port` (0: a free port the OS picks), so that port is busy
 * until it is closed.
 */
export function occupiedPort(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * A port on 127.0.0.1 that was free a moment ago and that nothing listens on now: connections are
 * refused.
 */
export async function closedPort(): Promise<number> {
  const server = await occupiedPort();
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Holds 127.0.0.1:`port` busy; when another program on this machine already holds it, it is busy
 * anyway and there is nothing to close (undefined).
 */
export async function heldPort(port: number): Promise<Server | undefined> {
  try {
    return await occupiedPort(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return undefined;
    throw error;
  }
}
