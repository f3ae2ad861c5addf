/**
 * The core's public surface for its two hosts, the Electron shell and the browser preview: a barrel,
 * no logic. Nothing under core/ imports `electron`.
 */
export {
  createAuthCore,
  type AuthCore,
  type ChannelResponse,
  type SessionChannel,
  type SettingsChannel,
} from './auth-core.ts';
export {
  configureFromEnvironment,
  configureTenant,
  startDemoProvider,
  type Configured,
} from './providers.ts';
export { ConfigError, type AppConfig } from './config.ts';
export type { CorePlatform } from './platform.ts';
/** Channels the bridges must expose; re-exported for the hosts. */
export { CHANNELS } from '../../src-preload/contract-validators.ts';
