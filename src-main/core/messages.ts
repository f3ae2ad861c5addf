/**
 * The desktop "token handler": the renderer asks for a message, the main process calls the Hello
 * World API with the user's access token and hands back only the message (or a readable error).
 *
 * A DPoP-bound token (RFC 9449 §7) goes as `Authorization: DPoP <token>` with a fresh proof for this
 * exact method and URL (`htu` without query, `ath` = the token's hash) in the `DPoP` header. The API's
 * latest `DPoP-Nonce` is kept and put in the next proofs; a `use_dpop_nonce` challenge is answered with
 * one retry carrying the new nonce (§9).
 */
import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import type { ApiMessage, MessageKind, Result } from '../../src-preload/contract.ts';
import type { DPoPKey } from './dpop.ts';
import { CoreError, toAppError } from './errors.ts';
import { networkErrorIn } from './network/transport.ts';
import type { FetchLike } from './network/transport.ts';
import type { Logger } from './platform.ts';
import type { ApiCredential, SessionManager } from './session.ts';

export const API_TIMEOUT_MS = 10_000;

const messageSchema = z.object({ text: z.string() });
const errorBodySchema = z.object({ message: z.string().min(1).max(500) });

type Attempt = {
  status: number;
  data: unknown;
  challenge?: string | undefined;
  nonce?: string | undefined;
};

export class MessageService {
  private readonly http: AxiosInstance;
  private readonly session: SessionManager;
  private readonly apiServerUrl: URL;
  /**
   * The API's latest DPoP-Nonce (RFC 9449 §9) for each account's key: a nonce the API gave one
   * account is never shown with another's proof, which would link the two (issue 19).
   */
  private readonly dpopNonces = new WeakMap<DPoPKey, string>();
  /** Where an unexpected error's own message goes (the person reads the code's sentence). */
  private readonly log: Pick<Logger, 'error'> | undefined;

  /** `fetch`: the transport's `fetchFor('API_SERVER_URL')`, the only way these calls leave. */
  constructor(
    apiServerUrl: URL,
    session: SessionManager,
    fetch: FetchLike,
    log?: Pick<Logger, 'error'>,
  ) {
    this.apiServerUrl = apiServerUrl;
    this.session = session;
    this.log = log;
    this.http = axios.create({
      baseURL: apiServerUrl.href,
      timeout: API_TIMEOUT_MS,
      // Every status is data here; the mapping below decides what it means.
      validateStatus: () => true,
      // Never follow a redirect with the Authorization header to somewhere else.
      maxRedirects: 0,
      // Through the transport (network/transport.ts), as every request of the core: it picks the
      // route (loopback direct, https through a proxy only as a CONNECT tunnel) and refuses to send
      // the token over plain http through a proxy. axios's own proxy handling, which would obey
      // HTTP_PROXY and hand a loopback API's bearer token to the proxy in clear, is never used.
      adapter: 'fetch',
      env: { fetch },
      proxy: false,
      headers: { Accept: 'application/json' },
    });
  }

  async get(kind: MessageKind): Promise<Result<{ data: ApiMessage }>> {
    try {
      if (kind === 'public') return toResult(await this.call(kind, undefined));
      const credential = await this.session.apiCredential();
      let answer = await this.call(kind, credential);
      if (answer.status === 401) {
        // The token may have been revoked or rotated away: one retry with a fresh one.
        answer = await this.call(kind, await this.session.apiCredentialAfterRejection(credential));
      }
      // Another account became active while the API answered: what it said was for the one before
      // and is never shown under the new one (issue 19).
      if (this.session.activeSub() !== credential.sub)
        return { ok: false, error: new CoreError('account_switched').toAppError() };
      return toResult(answer);
    } catch (error) {
      return { ok: false, error: toAppError(error, this.log) };
    }
  }

  private async call(kind: MessageKind, credential: ApiCredential | undefined): Promise<Attempt> {
    const url = new URL(`api/messages/${kind}`, this.apiServerUrl);
    if (credential?.scheme !== 'DPoP') {
      return this.send(
        url,
        credential ? { Authorization: `Bearer ${credential.accessToken}` } : {},
      );
    }
    const nonceOf = () => (credential.key ? this.dpopNonces.get(credential.key) : undefined);
    const sentNonce = nonceOf();
    let answer = await this.sendWithProof(url, credential);
    if (isNonceChallenge(answer) && nonceOf() !== sentNonce) {
      answer = await this.sendWithProof(url, credential);
    }
    return answer;
  }

  /** The proof is signed with the key of the account the token belongs to (issue 19). */
  private async sendWithProof(url: URL, { accessToken, key }: ApiCredential): Promise<Attempt> {
    if (!key) throw new CoreError('not_signed_in', 'This account has no proof-of-possession key.');
    const proof = await key.proof('GET', url, { accessToken, nonce: this.dpopNonces.get(key) });
    const answer = await this.send(url, { Authorization: `DPoP ${accessToken}`, DPoP: proof });
    if (answer.nonce) this.dpopNonces.set(key, answer.nonce);
    return answer;
  }

  private async send(url: URL, headers: Record<string, string>): Promise<Attempt> {
    try {
      // The absolute URL: exactly the one the DPoP proof names.
      const response = await this.http.get(url.href, { headers });
      const challenge = response.headers['www-authenticate'];
      const nonce = response.headers['dpop-nonce'];
      return {
        status: response.status,
        data: response.data,
        challenge: typeof challenge === 'string' ? challenge : undefined,
        nonce: typeof nonce === 'string' && nonce.length > 0 ? nonce : undefined,
      };
    } catch (error) {
      // The transport's own words (a refused route, a proxy asking for credentials, an untrusted
      // certificate) say what to change; anything else is "could not be reached".
      const network = networkErrorIn(error);
      if (network) throw new CoreError('api_unreachable', network.message, { cause: error });
      const inTime =
        axios.isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT')
          ? ' in time'
          : '';
      throw new CoreError(
        'api_unreachable',
        `The message API at ${this.apiServerUrl.origin} could not be reached${inTime}. ` +
          'Check your connection, or try again in a moment.',
        { cause: error },
      );
    }
  }
}

/** A 401 whose DPoP challenge says `error="use_dpop_nonce"` (RFC 9449 §9). */
function isNonceChallenge(answer: Attempt): boolean {
  return (
    answer.status === 401 &&
    answer.nonce !== undefined &&
    /\bDPoP\b[^]*\berror="?use_dpop_nonce"?/i.test(answer.challenge ?? '')
  );
}

function toResult({ status, data }: Attempt): Result<{ data: ApiMessage }> {
  if (status === 200) {
    const message = messageSchema.safeParse(data);
    if (message.success) return { ok: true, data: { text: message.data.text } };
    return {
      ok: false,
      error: {
        code: 'api_error',
        status,
        message: 'The message API answered with something that is not a message.',
      },
    };
  }
  const body = errorBodySchema.safeParse(data);
  const message = body.success
    ? body.data.message
    : `The message API answered with HTTP ${status}.`;
  return { ok: false, error: { code: 'api_error', status, message } };
}
