/**
 * The loopback receivers a session holds: the sign-in's (RFC 8252 §7.3) and the logout's, which
 * waits for the provider's post-logout redirect. With one fixed callback port (the usual Auth0 set-up)
 * they contend for it, and the sign-in wins: a logout tab the person may never finish must not cost
 * them the next Log In.
 */
import { CoreError } from './errors.ts';
import { LoopbackReceiver, type LoopbackOptions } from './loopback.ts';
import { CALLBACK_PATH, LOGGED_OUT_PATH } from './registration.ts';

/** A logout tab back after Log In had already started a new sign-in on its port. */
const LOGOUT_TAB_AFTER_SIGN_IN = {
  title: 'Logging out finished here',
  message:
    'The app started a new sign-in before this tab came back. Finish signing in from the tab the app opened for it; you can close this one.',
};
const LOGGED_OUT = {
  title: 'You are logged out',
  message: 'The sign-in service has ended your session. You can close this tab.',
};

export interface ReceiverOptions {
  /** Ports to try in order; empty: the OS picks one. */
  callbackPorts: readonly number[];
  signInTimeoutMs: number;
  /** Short: the logout receiver may hold the only callback port. */
  logoutTimeoutMs: number;
}

export class SessionReceivers {
  private readonly options: ReceiverOptions;
  private readonly receivers = new Set<LoopbackReceiver>();
  /** Logout receivers (or their start), waiting for the provider's logout page to come back. */
  private readonly logoutReceivers = new Set<Promise<LoopbackReceiver>>();

  constructor(options: ReceiverOptions) {
    this.options = options;
  }

  /** The sign-in's receiver; it takes the port from a waiting logout receiver if it must. */
  async startSignIn(signal: AbortSignal): Promise<LoopbackReceiver> {
    // With OS-assigned ports there is no contest: the logout tab can still come back to its own port.
    if (this.options.callbackPorts.length > 0) await this.closeLogoutReceivers();
    // A logout tab that comes back to the port this sign-in took is told what happened.
    return this.start(CALLBACK_PATH, signal, {
      otherPages: { [LOGGED_OUT_PATH]: LOGOUT_TAB_AFTER_SIGN_IN },
    });
  }

  /** The sign-in's receiver is done with (it lingers for late tabs on its own). */
  release(receiver: LoopbackReceiver): void {
    this.receivers.delete(receiver);
  }

  /**
   * The receiver for the provider's post-logout redirect (`requireState`: only the return carrying the
   * logout request's state); a tab that comes back late is still told it is logged out.
   */
  async startLogout(path: string, requireState: boolean): Promise<LoopbackReceiver> {
    const starting = this.start(path, undefined, {
      timeoutMs: this.options.logoutTimeoutMs,
      latePages: { cancelled: LOGGED_OUT, timeout: LOGGED_OUT },
      requireState,
      wrongStatePage: {
        title: 'Not this logout',
        message:
          'This is not the logout the app is waiting for. Finish logging out in the tab the app opened.',
      },
    });
    this.logoutReceivers.add(starting);
    let receiver: LoopbackReceiver;
    try {
      receiver = await starting;
    } catch (error) {
      this.logoutReceivers.delete(starting);
      throw error;
    }
    if (!this.logoutReceivers.has(starting)) {
      // A sign-in started meanwhile and took the port back: the logout page goes without a way back.
      await receiver.close();
      throw new CoreError('ports_busy', 'A sign-in needs the callback port.');
    }
    const forget = () => {
      this.receivers.delete(receiver);
      this.logoutReceivers.delete(starting);
    };
    receiver.arrival.then(forget, forget);
    return receiver;
  }

  /** At quit: every receiver stops at once, lingering ones included. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.receivers].map((receiver) => receiver.close()));
    await LoopbackReceiver.closeLingering();
  }

  private async start(
    path: string,
    signal: AbortSignal | undefined,
    extra: Partial<LoopbackOptions>,
  ): Promise<LoopbackReceiver> {
    const receiver = await LoopbackReceiver.start({
      ports: this.options.callbackPorts,
      path,
      // The sign-in receiver takes only the callback answering its own request (expectState).
      requireState: true,
      timeoutMs: this.options.signInTimeoutMs,
      ...(signal ? { signal } : {}),
      ...extra,
    });
    this.receivers.add(receiver);
    return receiver;
  }

  /** Closes every waiting logout receiver (and any being started), so a sign-in can have the port. */
  private async closeLogoutReceivers(): Promise<void> {
    const pending = [...this.logoutReceivers];
    this.logoutReceivers.clear();
    await Promise.all(
      pending.map((starting) =>
        starting.then(
          (receiver) => receiver.close(),
          () => {},
        ),
      ),
    );
  }
}
