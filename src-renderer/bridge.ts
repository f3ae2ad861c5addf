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

/** The preview was opened without its key: the page says to open the link printed in the terminal. */
export class PreviewLockedError extends Error {
  constructor() {
    super('Open the link printed in the terminal.');
    this.name = 'PreviewLockedError';
  }
}

export async function loadBridge(): Promise<AuthBridge> {
  if (window.auth) return window.auth;
  // Loaded on demand so the Electron build never runs (or downloads) the HTTP transport.
  const { createHttpBridge, keyOpensPreview, takePreviewKey } =
    await import('../src-preload/http-bridge.ts');
  // A printed link pasted into a tab already on the preview only changes the fragment: start over,
  // so its key is taken like on a fresh load.
  window.addEventListener('hashchange', () => {
    if (window.location.hash.startsWith('#key=')) window.location.reload();
  });
  const key = takePreviewKey();
  if (!key || !(await keyOpensPreview(key))) throw new PreviewLockedError();
  return createHttpBridge(key, '', () => window.dispatchEvent(new Event(PREVIEW_RESTARTED)));
}

/** Dispatched on `window` when the preview refuses this page's key: it was restarted meanwhile. */
export const PREVIEW_RESTARTED = 'preview-restarted';
