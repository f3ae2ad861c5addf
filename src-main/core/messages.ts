/**
 * The desktop "token handler": the renderer asks for a message, the main process calls the Hello
 * World API with the user's access token and hands back only the message (or a readable error).
 */
import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import type { ApiMessage, MessageKind, Result } from '../../src-preload/contract.ts';
import { CoreError, toAppError } from './errors.ts';
import type { SessionManager } from './session.ts';

export const API_TIMEOUT_MS = 10_000;

const messageSchema = z.object({ text: z.string() });
const errorBodySchema = z.object({ message: z.string().min(1).max(500) });

type Attempt = { status: number; data: unknown };

export class MessageService {
  private readonly http: AxiosInstance;
  private readonly session: SessionManager;
  private readonly apiServerUrl: URL;

  constructor(apiServerUrl: URL, session: SessionManager) {
    this.apiServerUrl = apiServerUrl;
    this.session = session;
    this.http = axios.create({
      baseURL: apiServerUrl.href,
      timeout: API_TIMEOUT_MS,
      // Every status is data here; the mapping below decides what it means.
      validateStatus: () => true,
      // Never follow a redirect with the Authorization header to somewhere else.
      maxRedirects: 0,
      headers: { Accept: 'application/json' },
    });
  }

  async get(kind: MessageKind): Promise<Result<{ data: ApiMessage }>> {
    try {
      if (kind === 'public') return toResult(await this.call(kind, undefined));
      const token = await this.session.accessToken();
      let answer = await this.call(kind, token);
      if (answer.status === 401) {
        // The token may have been revoked or rotated away: one retry with a fresh one.
        answer = await this.call(kind, await this.session.accessTokenAfterRejection(token));
      }
      return toResult(answer);
    } catch (error) {
      return { ok: false, error: toAppError(error) };
    }
  }

  private async call(kind: MessageKind, token: string | undefined): Promise<Attempt> {
    const path = `api/messages/${kind}`;
    try {
      const response = await this.http.get(path, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
      return { status: response.status, data: response.data };
    } catch (error) {
      throw new CoreError('api_unreachable', `The message API at ${this.apiServerUrl.origin} could not be reached${axios.isAxiosError(error) && error.code === 'ECONNABORTED' ? ' in time' : ''}. Is it running?`, { cause: error });
    }
  }
}

function toResult({ status, data }: Attempt): Result<{ data: ApiMessage }> {
  if (status === 200) {
    const message = messageSchema.safeParse(data);
    if (message.success) return { ok: true, data: { text: message.data.text } };
    return { ok: false, error: { code: 'api_error', status, message: 'The message API answered with something that is not a message.' } };
  }
  const body = errorBodySchema.safeParse(data);
  const message = body.success ? body.data.message : `The message API answered with HTTP ${status}.`;
  return { ok: false, error: { code: 'api_error', status, message } };
}
