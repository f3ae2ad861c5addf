import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** The devstack's servers: plain HTTP, or HTTPS with DEVSTACK_TLS (tls.ts). */
export type DevstackServer = HttpServer | HttpsServer;

/** A server certificate and key (PEM), and the host name the server is known by (default 127.0.0.1). */
export interface ServerTls {
  cert: string;
  key: string;
  host?: string;
}

/** The one host literal used everywhere (issuer, API, redirect URIs): never `localhost`. */
export const LOOPBACK_HOST = '127.0.0.1';

export class PortInUseError extends Error {
  readonly port: number;
  readonly role: string;

  constructor(role: string, port: number, options?: ErrorOptions) {
    super(`${role}: port ${port} on ${LOOPBACK_HOST} is already in use`, options);
    this.name = 'PortInUseError';
    this.role = role;
    this.port = port;
  }
}

/** Listen on 127.0.0.1:port (0 = any free port) and resolve with the real port. */
export async function listenOnLoopback(
  server: DevstackServer,
  port: number,
  role: string,
): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(
        error.code === 'EADDRINUSE' ? new PortInUseError(role, port, { cause: error }) : error,
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, LOOPBACK_HOST);
  });
  return (server.address() as AddressInfo).port;
}

/** Stop accepting connections and drop idle/keep-alive ones (a browser keeps sockets open). */
export async function closeServer(server: DevstackServer): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
    // Anything still in flight after a short grace period is cut.
    setTimeout(() => server.closeAllConnections(), 500).unref();
  });
}
