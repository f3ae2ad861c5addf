/**
 * The `state` a receiver waits for (RFC 9700 §4.7: `state` ties a response to its request; OpenID
 * RP-Initiated Logout §2: the same for the return from the provider's logout page). Kept as a SHA-256
 * digest and compared with `timingSafeEqual`, so the time a comparison takes says nothing about the
 * value, whatever the length of what was sent.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export class ExpectedState {
  private readonly digest: Buffer;

  constructor(state: string) {
    this.digest = digestOf(state);
  }

  /** Whether `candidate` (a query parameter, absent as null) is exactly the expected state. */
  matches(candidate: string | null | undefined): boolean {
    if (typeof candidate !== 'string') return false;
    return timingSafeEqual(digestOf(candidate), this.digest);
  }
}

function digestOf(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
