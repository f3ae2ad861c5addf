/**
 * The session on disk. Tokens are written only while they are still wanted: a Log Out or Cancel
 * during the (slow) encryption wins, and tokens that arrived for a session that has ended are
 * revoked at the provider instead, since nobody will ever hold them. A failed save keeps the
 * session in memory only and removes the record still on disk (its refresh token may be retired).
 */
import type { AppError, SessionView } from '../../src-preload/contract.ts';
import type { AppConfig } from './config.ts';
import { toAppError } from './errors.ts';
import { revokeRefreshToken } from './oidc.ts';
import type { Logger } from './platform.ts';
import type { TokenSet, TokenVault } from './vault.ts';

export interface PersistenceDeps {
  vault: TokenVault;
  config: AppConfig;
  log: Logger;
  /**
   * A save failed: the session is now kept in memory only. `failure`: the stale record could not
   * be removed either (what to tell the person), else undefined.
   */
  saveFailed(failure: AppError | undefined): void;
}

export class SessionPersistence {
  /** `memory`: no OS encryption, or a save failed; nothing is kept across restarts. */
  mode: SessionView['persistence'] = 'encrypted';
  private readonly deps: PersistenceDeps;

  constructor(deps: PersistenceDeps) {
    this.deps = deps;
  }

  /** At start: whether the OS can encrypt, i.e. whether anything may be written at all. */
  async detect(): Promise<void> {
    this.mode = (await this.deps.vault.persistent()) ? 'encrypted' : 'memory';
    if (this.mode === 'memory')
      this.deps.log.warn('OS encryption unavailable: the session will be kept in memory only');
  }

  /**
   * Tokens from every way and every refresh take this one step: revoked and `superseded()` thrown
   * when they are no longer wanted (before the write, or once it finished), else saved.
   */
  async persistUnlessSuperseded(
    tokens: TokenSet,
    wanted: () => boolean,
    superseded: () => Error,
  ): Promise<void> {
    if (!wanted()) {
      await this.revoke(tokens, 'arrived after the session ended');
      throw superseded();
    }
    await this.save(tokens, wanted);
    if (!wanted()) {
      await this.revoke(tokens, 'arrived after the session ended');
      throw superseded();
    }
  }

  /** Removes the saved session; when that fails, logs it and returns what to tell the person. */
  clear(): AppError | undefined {
    try {
      this.deps.vault.clear();
      return undefined;
    } catch (error) {
      this.deps.log.error('could not delete the saved session', {
        reason: error instanceof Error ? error.name : 'unknown',
      });
      return {
        code: 'storage_unwritable',
        message:
          'The saved session could not be deleted from this computer, so the app may sign you in again when it next starts. Check that the app’s data folder can be written to, then log out again.',
      };
    }
  }

  /** Asks the provider to forget a refresh token nobody will hold any more (best effort, logged). */
  async revoke(tokens: TokenSet, why: string): Promise<void> {
    if (!tokens.refreshToken) return;
    try {
      await revokeRefreshToken(this.deps.config, tokens.refreshToken);
      this.deps.log.info('revoked a refresh token', { why });
    } catch (error) {
      this.deps.log.warn('refresh token revocation failed (best effort)', {
        why,
        error: toAppError(error, this.deps.log).code,
      });
    }
  }

  /** Saves `tokens` unless `wanted()` turns false first; a failure keeps the session in memory only. */
  private async save(tokens: TokenSet, wanted: () => boolean): Promise<void> {
    try {
      await this.deps.vault.save(tokens, wanted);
    } catch (error) {
      this.mode = 'memory';
      this.deps.log.error('could not save the session; keeping it in memory', {
        reason: error instanceof Error ? error.name : 'unknown',
      });
      // The record still on disk holds a refresh token the provider has retired (rotation) or a
      // session the user no longer has: a restart must not find it.
      this.deps.saveFailed(wanted() ? this.clear() : undefined);
    }
  }
}
