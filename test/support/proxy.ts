/**
 * A company proxy for tests, on 127.0.0.1: HTTP forwarding (absolute-form requests, RFC 9112 §3.2.2)
 * and CONNECT tunnels (RFC 9110 §9.3.6), optional Basic authentication (407 with
 * `Proxy-Authenticate`), and a log of everything it was given: request lines, headers, forwarded
 * bodies and the bytes clients sent into tunnels, so a test can search it for a token.
 *
 * It resolves host names only from its own `hosts` map (`idp.corp.test` → `127.0.0.1`); an IP literal
 * is used as is; any other name gets 502 and nothing leaves the machine. So a server reachable under
 * such a name is reachable only through this proxy, and a request that arrives there proves the proxy
 * carried it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect as netConnect, isIP, type AddressInfo, type Socket } from 'node:net';

export interface TestProxyOptions {
  /** Host names the proxy resolves, to IP addresses (e.g. `{ 'idp.corp.test': '127.0.0.1' }`). */
  hosts?: Record<string, string>;
  /** When set, every request needs `Proxy-Authorization: Basic` with these, else 407. */
  credentials?: { username: string; password: string };
}

export interface ProxyLogEntry {
  /** `CONNECT` or the forwarded request's method. */
  method: string;
  /** `host:port` for CONNECT, the absolute URL for a forwarded request. */
  target: string;
  /** As received, names in lower case (`proxy-authorization` included: tests check what was sent). */
  headers: Record<string, string>;
  /** What the proxy answered: 200 for an opened tunnel, the upstream status for a forwarded request. */
  status: number;
}

export interface TestProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** One entry per request, in arrival order. */
  readonly log: readonly ProxyLogEntry[];
  /** `METHOD target` per request, e.g. `CONNECT idp.corp.test:4443`. */
  lines(): string[];
  /** Everything clients sent: request lines, headers, forwarded bodies, bytes into tunnels (latin1). */
  seen(): string;
  clear(): void;
  close(): Promise<void>;
}

const MAX_SEEN = 8 * 1024 * 1024;

export async function startTestProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const log: ProxyLogEntry[] = [];
  let seen: string[] = [];
  let seenBytes = 0;
  const record = (text: string) => {
    if (seenBytes >= MAX_SEEN) return;
    seen.push(text);
    seenBytes += text.length;
  };
  const hosts = new Map(
    Object.entries(options.hosts ?? {}).map(([name, address]) => [name.toLowerCase(), address]),
  );
  const expected =
    options.credentials === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`;
  const sockets = new Set<Socket>();

  const resolve = (host: string): string | undefined => {
    const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
    return isIP(bare) !== 0 ? bare : hosts.get(bare);
  };

  const receive = (req: IncomingMessage): ProxyLogEntry => {
    const headers: Record<string, string> = {};
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = (raw[i] ?? '').toLowerCase();
      headers[name] =
        headers[name] === undefined ? (raw[i + 1] ?? '') : `${headers[name]}, ${raw[i + 1]}`;
    }
    record(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`);
    for (let i = 0; i + 1 < raw.length; i += 2) record(`${raw[i]}: ${raw[i + 1]}\r\n`);
    const entry: ProxyLogEntry = {
      method: req.method ?? '',
      target: req.url ?? '',
      headers,
      status: 0,
    };
    log.push(entry);
    return entry;
  };

  const authorized = (req: IncomingMessage) =>
    expected === undefined || req.headers['proxy-authorization'] === expected;

  const server: Server = createServer((req, res) => {
    const entry = receive(req);
    req.on('data', (chunk: Buffer) => record(chunk.toString('latin1')));
    if (!authorized(req)) {
      entry.status = 407;
      res.writeHead(407, {
        'Proxy-Authenticate': 'Basic realm="test proxy"',
        'Content-Length': '0',
      });
      res.end();
      return;
    }
    const target = URL.parse(req.url ?? '');
    const address = target?.protocol === 'http:' ? resolve(target.hostname) : undefined;
    if (target === null || address === undefined) {
      entry.status = 502;
      res.writeHead(502, { 'Content-Length': '0' }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      {
        host: address,
        port: target.port === '' ? 80 : Number(target.port),
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers,
      },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'Content-Length': '0' });
      res.end();
    });
    req.pipe(upstream);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const entry = receive(req);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    const refuse = (status: number, extra = '') => {
      entry.status = status;
      client.end(
        `HTTP/1.1 ${status} ${status === 407 ? 'Proxy Authentication Required' : 'Bad Gateway'}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`,
      );
    };
    if (!authorized(req)) {
      refuse(407, 'Proxy-Authenticate: Basic realm="test proxy"\r\n');
      return;
    }
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(req.url ?? '');
    const address = match ? resolve(match[1] ?? '') : undefined;
    if (!match || address === undefined) {
      refuse(502);
      return;
    }
    const upstream = netConnect({ host: address, port: Number(match[2]) });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.once('error', () => {
      if (entry.status === 0) refuse(502);
      else client.destroy();
    });
    upstream.once('connect', () => {
      // As a real proxy's relay does: each piece is passed on at once (with Nagle's algorithm on
      // both legs, a request's last piece waited for a delayed ACK, ~40 ms, at every turn).
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      entry.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) {
        record(head.toString('latin1'));
        upstream.write(head);
      }
      client.on('data', (chunk: Buffer) => record(chunk.toString('latin1')));
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    lines: () => log.map((entry) => `${entry.method} ${entry.target}`),
    seen: () => seen.join(''),
    clear: () => {
      log.length = 0;
      seen = [];
      seenBytes = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
