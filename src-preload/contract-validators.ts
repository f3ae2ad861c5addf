/**
 * The runtime validators of the contract's requests, for the main process only.
 *
 * Whatever crosses from the renderer is untrusted (a compromised page can send anything over IPC or
 * HTTP), so main checks the channel name and its arguments before any handler runs. The validators
 * (zod) are keyed by the channel names of `ChannelRequests` in contract.ts; the `satisfies` below makes
 * a missing channel, an extra one, or a validator whose output differs from the declared arguments a
 * compile error. Kept out of contract.ts so the preload bundle carries no zod.
 */
import { z } from 'zod';
import {
  MESSAGE_KINDS,
  OTHER_SIGN_IN_WAYS,
  SETTING_NAMES,
  type AppError,
  type Channel,
  type ChannelArgs,
  type SettingsForm,
} from './contract.ts';

const noArgs = z.tuple([]);

/** A setting as typed: short text, no control characters (a URL, an ID, a port list). */
const settingValue = z
  .string()
  .max(500)
  .regex(/^\P{Cc}*$/u);

/** An account's `sub` as the view gave it (the core looks it up; an unknown one is refused there). */
const accountSub = z
  .string()
  .min(1)
  .max(255)
  .regex(/^\P{Cc}*$/u);

/** The Settings form: a provider and only the known settings (any other key is refused). */
const settingsForm = z.strictObject({
  provider: z.enum(['demo', 'tenant']),
  values: z.strictObject(
    Object.fromEntries(SETTING_NAMES.map((name) => [name, settingValue.optional()])) as Record<
      (typeof SETTING_NAMES)[number],
      z.ZodOptional<typeof settingValue>
    >,
  ),
}) satisfies z.ZodType<SettingsForm>;

/** One validator per channel: the arguments as the renderer may send them. */
export const requestValidators = {
  'session:get': noArgs,
  'auth:login': noArgs,
  'auth:signup': noArgs,
  'auth:cancel': noArgs,
  'auth:reopen': noArgs,
  'auth:use-way': z.tuple([z.enum(OTHER_SIGN_IN_WAYS)]),
  'auth:open-code-page': noArgs,
  'auth:copy-code': noArgs,
  'auth:copy-sign-in-link': noArgs,
  'auth:logout': noArgs,
  'auth:end-provider-session': noArgs,
  'messages:get': z.tuple([z.enum(MESSAGE_KINDS)]),
  'settings:get': noArgs,
  'settings:validate': z.tuple([settingsForm]),
  'settings:check': z.tuple([settingsForm]),
  'settings:save': z.tuple([settingsForm]),
  'updates:get': noArgs,
  'updates:check': noArgs,
  'updates:restart': noArgs,
  'accounts:add': noArgs,
  'accounts:switch': z.tuple([accountSub]),
  'accounts:sign-out': z.tuple([accountSub]),
} as const satisfies { [C in Channel]: z.ZodType<ChannelArgs<C>> };

/** Every request channel, at run time (main registers one handler per name). */
export const CHANNELS = Object.keys(requestValidators) as Channel[];

/** Validates a channel name and its arguments from an untrusted sender. */
export function parseRequest(
  channel: unknown,
  args: unknown,
): { ok: true; channel: Channel; args: unknown[] } | { ok: false; error: AppError } {
  if (typeof channel !== 'string' || !Object.hasOwn(requestValidators, channel)) {
    return { ok: false, error: { code: 'invalid_request', message: 'Unknown request.' } };
  }
  const parsed = requestValidators[channel as Channel].safeParse(args);
  if (!parsed.success) {
    return {
      ok: false,
      error: { code: 'invalid_request', message: `Invalid arguments for ${channel}.` },
    };
  }
  return { ok: true, channel: channel as Channel, args: parsed.data as unknown[] };
}
