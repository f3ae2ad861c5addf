/**
 * The renderer's only way to the main process. In Electron the preload puts the contract's
 * `AuthBridge` on `window.auth` (IPC); in the browser preview there is no preload, so the same
 * interface is carried over HTTP + server-sent events by the preview host.
 */
import type { AuthBridge } from '../src-preload/contract.ts';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the browser preview. */
    auth?: AuthBridge;
  }
}

export async function loadBridge(): Promise<AuthBridge> {
  if (window.auth) return window.auth;
  // Loaded on demand so the Electron build never runs (or downloads) the HTTP transport.
  const { createHttpBridge } = await import('../src-preload/http-bridge.ts');
  return createHttpBridge();
}
