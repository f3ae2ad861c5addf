/**
 * The app's one name (issue 22, L11), wherever a person reads it: the nav, the window and tab
 * titles, the Home page, the pages the browser shows after a sign-in (loopback.ts) and the demo
 * provider's own pages (the name its client is registered under). It is electron-builder's
 * `productName`, the name the OS shows (menus, the "Open … ?" prompt of the app link); a unit test
 * holds the two, and the renderer's index.html title, together. No dependency: every process
 * imports it.
 */
export const APP_NAME = 'Electron Auth0 Hello World';
