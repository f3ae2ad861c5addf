import type { RoutePath } from '../../hooks/use-route.ts';

/**
 * The nav tabs, as in Auth0's Hello World samples (Protected and Admin only for signed-in users),
 * and Settings.
 */
export const NAV_TABS: readonly { label: string; path: RoutePath; signedInOnly: boolean }[] = [
  { label: 'Profile', path: '/profile', signedInOnly: false },
  { label: 'Public', path: '/public', signedInOnly: false },
  { label: 'Protected', path: '/protected', signedInOnly: true },
  { label: 'Admin', path: '/admin', signedInOnly: true },
  { label: 'Settings', path: '/settings', signedInOnly: false },
];
