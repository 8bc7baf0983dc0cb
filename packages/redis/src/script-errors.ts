import { BatonError, ERROR_CODES, LeaseLostError } from '@baton/protocol';

/**
 * The one place where the negative codes of the Lua scripts become error classes (after BullMQ's
 * `finishedErrors()`).
 */
export const SCRIPT_CODES = {
  SESSION_MISSING: -1,
  LEASE_LOST: -2,
  SESSION_CLOSED: -3,
  STALE_RUN: -4,
  LEASE_BUSY: -5,
} as const;

export function errorFromScriptCode(
  code: number,
  context: { chatId: string; epoch?: number; script: string },
): BatonError {
  switch (code) {
    case SCRIPT_CODES.SESSION_MISSING:
      return new BatonError(ERROR_CODES.NOT_FOUND, `chat ${context.chatId} has no session`);
    case SCRIPT_CODES.LEASE_LOST:
      return new LeaseLostError(context.chatId, context.epoch ?? 0);
    case SCRIPT_CODES.SESSION_CLOSED:
      return new BatonError(ERROR_CODES.SESSION_CLOSED, `chat ${context.chatId} is closed`);
    case SCRIPT_CODES.STALE_RUN:
      return new BatonError(ERROR_CODES.STALE_RUN, `run of chat ${context.chatId} is stale`);
    case SCRIPT_CODES.LEASE_BUSY:
      return new BatonError(
        ERROR_CODES.LEASE_BUSY,
        `chat ${context.chatId} is held by a live lease`,
        {
          isRetryable: true,
        },
      );
    default:
      return new BatonError(
        ERROR_CODES.INVARIANT,
        `script ${context.script} returned unknown code ${code} for chat ${context.chatId}`,
      );
  }
}
