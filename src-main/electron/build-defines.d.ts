/**
 * Values vite.config.ts writes into the main build (`define`). Read them with `typeof … === 'string'`:
 * an unbuilt main.ts (the unit tests import it) has none.
 */

/** UPDATE_PUBLIC_KEY at build time: the Ed25519 key update metadata must be signed with (issue 20). */
declare const __UPDATE_PUBLIC_KEY__: string | undefined;
