/**
 * The accounts on disk. Tokens are written only while they are still wanted: a Log Out or Cancel
 * during the (slow) encryption wins, and tokens that arrived for a session that has ended are
 * revoked at the provider instead, since nobody will ever hold them. A failed save keeps the
 * accounts in memory only and removes the record still on disk (its refresh tokens may be retired).
 * Writes run one at a time, each built from the accounts as they are when its turn comes, and what
 * a write carries is held in memory (`commit`) before the next one is built: two accounts
 * refreshing at once cannot write each other's retired refresh token back.
 */
import type { AppError, SessionView } from '../../src-preload/contract.ts';
import type { AppConfig } from './config.ts';
import { toAppError } from './errors.ts';
import { revokeRefreshToken } from './oidc.ts';
import type { Logger } from './platform.ts';
import type { AccountVault, VaultContent } from './account-vault.ts';
import type { TokenSet } from './vault.ts';

export interface PersistenceDeps {
  vault: AccountVault;
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
  /** The write under way (or the last one): the next waits for it. */
  private writes: Promise<unknown> = Promise.resolve();

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
   * when they are no longer wanted (before the write, or once it finished), else saved (the vault
   * as `content()` builds it in this write's turn) and held in memory (`commit`).
   */
  async persistUnlessSuperseded(
    tokens: TokenSet,
    wanted: () => boolean,
    superseded: () => Error,
    content: () => VaultContent,
    commit: () => void,
  ): Promise<void> {
    const written = this.inTurn(async () => {
      if (!wanted()) return false;
      await this.save(content(), wanted);
      if (!wanted()) return false;
      commit();
      return true;
    });
    if (!(await written)) {
      await this.revoke(tokens, 'arrived after the session ended');
      throw superseded();
    }
  }

  /**
   * Writes the accounts as `content()` has them in this write's turn (a switch, an account signed
   * out), or removes the record when there are none; nothing once `wanted()` is false (the session
   * ended meanwhile: a Log Out during the encryption must not find the accounts written back).
   */
  async rewrite(content: () => VaultContent | undefined, wanted: () => boolean): Promise<void> {
    await this.inTurn(async () => {
      if (!wanted()) return;
      const next = content();
      if (next) await this.save(next, wanted);
      else this.clear();
    });
  }

  /** Removes every saved account; when that fails, logs it and returns what to tell the person. */
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

  /** Runs `write` after the writes before it (whether they succeeded or not). */
  private inTurn<T>(write: () => Promise<T>): Promise<T> {
    const turn = this.writes.then(write, write);
    this.writes = turn.catch(() => {});
    return turn;
  }

  /** Saves `content` unless `wanted()` turns false first; a failure keeps the accounts in memory. */
  private async save(content: VaultContent, wanted: () => boolean): Promise<void> {
    try {
      await this.deps.vault.save(content, wanted);
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
