/**
 * The update decision (issue 20), in Node: is there a newer version, is its metadata signed by the
 * build's key, is this installation in the staged percentage, may the app restart now. The platform
 * updater (electron-updater) fetches, downloads and installs; this decides and says what happens,
 * as one `UpdateState` at a time (the contract's: Settings → Updates shows it).
 *
 *   off / not set up / misconfigured / package manager / not installed
 *                  nothing is built, nothing is requested, the state says why
 *   check          electron-updater fetches latest*.yml; before it offers anything, `judge` checks
 *                  the signature (nothing is downloaded otherwise), that the version is newer
 *                  (never a downgrade), and the rollout
 *   download       electron-updater downloads (differentially where it can) and checks the signed
 *                  sha512; progress is reported as it arrives
 *   restart        only when no sign-in, sign-in code or logout is pending (`pendingActivity`);
 *                  otherwise the state says what it waits for, and the restart happens when that
 *                  ends (polled, and at once on `activityChanged()`)
 */
import type { KeyObject } from 'node:crypto';
import type {
  PendingActivity,
  UpdateSettingView,
  UpdateState,
  UpdateView,
} from '../../../src-preload/contract.ts';
import type { AppUpdater } from 'electron-updater';
import { CancellationToken, type ProgressInfo, type UpdateInfo } from 'builder-util-runtime';
import semver from 'semver';
import { silentLogger, type Logger } from '../platform.ts';
import { decideRollout, readOrCreateInstallationId } from './rollout.ts';
import type { UpdateHttpExecutor } from './update-http.ts';
import type { InstallKind } from './update-platform.ts';
import type { UpdateSetup } from './update-setup.ts';
import { BLOCKMAPS_FIELD, verifyUpdateInfo } from './update-signature.ts';

export interface UpdateServiceOptions {
  setup: UpdateSetup;
  /** The administrator's settings in use, shown read-only with their source (default: none). */
  settings?: UpdateSettingView[];
  install: InstallKind;
  currentVersion: string;
  /** The metadata file the platform updater asks for (channelFileFor): part of what is signed. */
  channelFile: string;
  /** Builds the platform updater (createPlatformUpdater); called once, at the first check. */
  createUpdater: (feedUrl: URL) => AppUpdater;
  executor: UpdateHttpExecutor;
  /** The profile folder: the installation's rollout id is kept there. */
  userDataPath: string;
  /** Quits and installs the downloaded `version` (Electron: quitAndInstall; the preview: recorded). */
  installNow: (version: string) => void;
  /** What a restart must wait for, if anything (the session answers). */
  pendingActivity: () => PendingActivity | undefined;
  log?: Logger;
  /** First automatic check after start (default 10 s), then every `checkEveryMs` (default 4 h). */
  firstCheckAfterMs?: number;
  checkEveryMs?: number;
  /** How often a waiting restart asks again (default 1 s). */
  restartPollMs?: number;
  now?: () => Date;
}

type Verdict =
  | { kind: 'refused'; state: Extract<UpdateState, { kind: 'refused' }> }
  | { kind: 'held-back'; latest: string; heldBack: 'older' | 'staged' | 'system' };

export class UpdateService {
  private state: UpdateState;
  private revision = 0;
  private readonly listeners = new Set<(view: UpdateView) => void>();
  private readonly log: Logger;
  private updater: AppUpdater | undefined;
  private verdict: Verdict | undefined;
  private checking: Promise<UpdateState> | undefined;
  private download: CancellationToken | undefined;
  private restartRequested = false;
  private checkTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private readonly options: UpdateServiceOptions;

  constructor(options: UpdateServiceOptions) {
    this.options = options;
    this.log = options.log ?? silentLogger;
    this.state = this.blockedState() ?? { kind: 'idle' };
  }

  view(): UpdateView {
    return {
      revision: this.revision,
      currentVersion: this.options.currentVersion,
      state: this.state,
      settings: this.options.settings ?? [],
    };
  }

  onChange(listener: (view: UpdateView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Automatic checks, when updates are on for this installation: none otherwise. */
  start(): void {
    if (this.blockedState() || this.closed) return;
    const every = this.options.checkEveryMs ?? 4 * 60 * 60 * 1000;
    const schedule = (delay: number) => {
      this.checkTimer = setTimeout(() => {
        void this.check().finally(() => {
          if (!this.closed) schedule(every);
        });
      }, delay);
      this.checkTimer.unref?.();
    };
    schedule(this.options.firstCheckAfterMs ?? 10_000);
  }

  /** "Check for updates": one check at a time; found → downloaded. Never throws. */
  check(): Promise<UpdateState> {
    const blocked = this.blockedState();
    if (blocked) return Promise.resolve(this.set(blocked));
    if (this.checking) return this.checking;
    if (['downloading', 'ready', 'waiting-to-restart', 'restarting'].includes(this.state.kind))
      return Promise.resolve(this.state);
    this.checking = this.runCheck().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** "Restart to update": now, or as soon as nothing is pending. */
  restart(): UpdateState {
    if (this.state.kind !== 'ready' && this.state.kind !== 'waiting-to-restart') return this.state;
    this.restartRequested = true;
    return this.tryRestart();
  }

  /** The session tells the service when a sign-in, a code or a logout ended (or began). */
  activityChanged(): void {
    if (this.restartRequested) this.tryRestart();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.checkTimer);
    clearTimeout(this.restartTimer);
    this.download?.cancel();
    this.listeners.clear();
  }

  private blockedState(): UpdateState | undefined {
    const { setup, install } = this.options;
    if (setup.kind === 'off') return { kind: 'off', source: setup.source };
    if (setup.kind === 'misconfigured')
      return { kind: 'misconfigured', setting: setup.setting, message: setup.message };
    if (setup.kind === 'not-set-up') return { kind: 'not-set-up', missing: setup.missing };
    if (install === 'package-manager') return { kind: 'package-manager' };
    if (install === 'not-installed') return { kind: 'not-installed' };
    return undefined;
  }

  private async runCheck(): Promise<UpdateState> {
    const { setup } = this.options;
    if (setup.kind !== 'on') return this.state;
    this.set({ kind: 'checking' });
    this.verdict = undefined;
    try {
      const updater = (this.updater ??= this.prepare(setup.feedUrl, setup.publicKey));
      const result = await updater.checkForUpdates();
      if (!result)
        return this.set({
          kind: 'failed',
          during: 'check',
          message: 'this installation cannot update itself.',
        });
      if (result.isUpdateAvailable) {
        const version = result.updateInfo.version;
        this.log.info('update: found', { version });
        this.set({ kind: 'available', version });
        return await this.runDownload(updater, version);
      }
      const verdict = this.verdict as Verdict | undefined;
      if (verdict?.kind === 'refused') return this.set(verdict.state);
      return this.set({
        kind: 'up-to-date',
        checkedAt: (this.options.now?.() ?? new Date()).toISOString(),
        ...(verdict?.kind === 'held-back'
          ? { latest: verdict.latest, heldBack: verdict.heldBack }
          : {}),
      });
    } catch (error) {
      this.log.warn('update: check failed', { error: messageOf(error) });
      return this.set({ kind: 'failed', during: 'check', message: messageOf(error) });
    }
  }

  /** Builds the platform updater once, with this service's judgement in electron-updater's two hooks. */
  private prepare(feedUrl: URL, publicKey: KeyObject): AppUpdater {
    const updater = this.options.createUpdater(feedUrl);
    const systemCheck = updater.isUpdateSupported;
    const installationId = readOrCreateInstallationId(this.options.userDataPath, this.log);
    // electron-updater asks these (after "same version?", which offers nothing) before it reports
    // an update; nothing is downloaded unless both say yes.
    updater.isUpdateSupported = async (info) => {
      if (!this.judge(info, publicKey)) return false;
      if (!(await systemCheck(info))) {
        this.verdict = { kind: 'held-back', latest: info.version, heldBack: 'system' };
        return false;
      }
      return true;
    };
    updater.isUserWithinRollout = (info) => {
      const decision = decideRollout(info.stagingPercentage, installationId);
      if (decision.inRollout) return true;
      this.log.info('update: not yet for this installation', {
        version: info.version,
        stagingPercentage: String(decision.percentage),
        reason: decision.reason,
      });
      this.verdict = { kind: 'held-back', latest: info.version, heldBack: 'staged' };
      return false;
    };
    return updater;
  }

  /** Signed by the build's key, and newer than this version. */
  private judge(info: UpdateInfo, publicKey: KeyObject): boolean {
    const record = info as unknown as Record<string, unknown>;
    const signature = verifyUpdateInfo(this.options.channelFile, record, publicKey);
    if (!signature.ok) {
      this.log.warn('update: metadata refused', {
        reason: signature.reason,
        version: String(info.version),
      });
      this.verdict = {
        kind: 'refused',
        state: {
          kind: 'refused',
          reason: signature.reason,
          version: String(info.version),
          message: signature.message,
        },
      };
      return false;
    }
    if (!semver.valid(info.version) || !semver.gt(info.version, this.options.currentVersion)) {
      this.log.warn('update: the feed offers a version that is not newer; not installed', {
        version: String(info.version),
        current: this.options.currentVersion,
      });
      this.verdict = { kind: 'held-back', latest: String(info.version), heldBack: 'older' };
      return false;
    }
    this.options.executor.trustBlockMaps(record[BLOCKMAPS_FIELD] as Record<string, unknown>);
    return true;
  }

  private async runDownload(updater: AppUpdater, version: string): Promise<UpdateState> {
    const token = (this.download = new CancellationToken());
    const progress = (info: ProgressInfo) =>
      this.set({
        kind: 'downloading',
        version,
        percent: Math.min(100, Math.max(0, Math.floor(info.percent))),
        transferred: info.transferred,
        total: info.total,
      });
    updater.on('download-progress', progress);
    this.set({ kind: 'downloading', version, percent: 0, transferred: 0, total: 0 });
    try {
      await updater.downloadUpdate(token);
      this.log.info('update: downloaded', { version });
      return this.set({ kind: 'ready', version });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_CHECKSUM_MISMATCH') {
        this.log.warn('update: the download does not match the signed sha512; not installed', {
          version,
        });
        return this.set({
          kind: 'refused',
          reason: 'checksum',
          version,
          message: `the download of version ${version} does not match the signed sha512.`,
        });
      }
      this.log.warn('update: download failed', { version, error: messageOf(error) });
      return this.set({ kind: 'failed', during: 'download', message: messageOf(error) });
    } finally {
      updater.off('download-progress', progress);
      if (this.download === token) this.download = undefined;
    }
  }

  private tryRestart(): UpdateState {
    clearTimeout(this.restartTimer);
    const state = this.state;
    if (state.kind !== 'ready' && state.kind !== 'waiting-to-restart') return state;
    if (this.closed) return state;
    const pending = this.options.pendingActivity();
    if (pending) {
      if (state.kind !== 'waiting-to-restart' || state.waitingFor !== pending)
        this.log.info('update: restart waits', { for: pending });
      this.restartTimer = setTimeout(() => this.tryRestart(), this.options.restartPollMs ?? 1000);
      this.restartTimer.unref?.();
      return this.set({ kind: 'waiting-to-restart', version: state.version, waitingFor: pending });
    }
    this.restartRequested = false;
    this.set({ kind: 'restarting', version: state.version });
    try {
      this.options.installNow(state.version);
    } catch (error) {
      return this.set({ kind: 'failed', during: 'install', message: messageOf(error) });
    }
    return this.state;
  }

  private set(state: UpdateState): UpdateState {
    this.state = state;
    this.revision += 1;
    const view = this.view();
    for (const listener of this.listeners) listener(view);
    return state;
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // electron-updater's messages can run to a stack and a whole HTTP answer: the first line says it.
  return text.split('\n')[0]!.slice(0, 300);
}
