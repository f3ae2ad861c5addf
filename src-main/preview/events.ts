/**
 * The event stream: the preload contract's events (session changes, the menu's Settings… command)
 * as server-sent events to every page that opened `/__bridge/events` with the key.
 */
import type { ServerResponse } from 'node:http';
import type { EventName, EventPayloads, SessionView } from '../../src-preload/contract.ts';

/** Opens one page's stream; it starts with the session as it is now. */
export function openEventStream(
  res: ServerResponse,
  clients: Set<ServerResponse>,
  session: SessionView,
): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  clients.add(res);
  res.on('close', () => clients.delete(res));
  res.write(eventFrame('session:changed', session));
}

/** Sends one event to every open stream; returns how many were told. */
export function broadcast<E extends EventName>(
  clients: Set<ServerResponse>,
  name: E,
  payload: EventPayloads[E],
): number {
  const frame = eventFrame(name, payload);
  let delivered = 0;
  for (const client of clients) {
    if (client.writableEnded) continue;
    client.write(frame);
    delivered += 1;
  }
  return delivered;
}

function eventFrame<E extends EventName>(name: E, payload: EventPayloads[E]): string {
  return `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
}
