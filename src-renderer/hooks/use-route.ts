import { useSyncExternalStore } from 'react';

/**
 * A hash router in a dozen lines: `#/profile` → `/profile`. Hash routes work the same from
 * `file://` (Electron) and from the preview host, and let a test open any page directly.
 */
export type RoutePath = '/' | '/profile' | '/public' | '/protected' | '/admin' | '/settings';

function currentPath(): string {
  const path = window.location.hash.replace(/^#/, '').split('?')[0] ?? '';
  if (path === '' || path === '/') return '/';
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The current path, e.g. `/profile`; anything unknown is the caller's Not Found. */
export function useRoute(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

export function hrefFor(path: RoutePath): string {
  return `#${path}`;
}

export function navigate(path: RoutePath): void {
  if (currentPath() !== path) window.location.hash = path;
}
