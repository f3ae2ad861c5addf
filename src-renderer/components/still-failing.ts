/**
 * What a Try again that failed again says, so the press visibly did something: "Still cannot reach
 * the message API (tried at 10:42)." (issue 22, M2). The time is the person's local clock.
 */
export function stillFailing(what: string, triedAt: number): string {
  const time = new Date(triedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return `${what} (tried at ${time}).`;
}
