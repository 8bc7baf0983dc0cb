import type { ChatTrigger } from '@baton/protocol';
import type { UIMessage } from 'ai';
import type { AgentSession } from '../agent-session.ts';
import type { Awaitable } from '../chat-agent-hooks.ts';
import { type StandardSchema, validateWithSchema } from '../standard-schema.ts';

/**
 * What `onClientDataValidationError` (and the builder's `onValidationError`) get when a message's
 * client data fails the schema of `chat.withClientData(...).customAgent`: the message is consumed
 * and answered with an `Invalid client data` error either way; the callback is for logging,
 * metrics, alerting.
 */
export type ClientDataValidationErrorEvent = {
  /**
   * Why: a `ClientDataValidationError` whose message lists the schema's issues (Standard Schema
   * reports issues, not the library's own error class, which Trigger.dev passes).
   */
  error: unknown;
  chatId: string;
  /** The worker's job that runs the chat now. */
  runId: string;
  /** The refused message's trigger; `preload` for the session client data of a preloaded run. */
  trigger: ChatTrigger | 'preload';
  /** The refused message; undefined for a preload. */
  message: UIMessage | undefined;
  /** The client data as it came, invalid. */
  clientData: Record<string, unknown> | undefined;
};

export type ClientDataValidationErrorHandler = (
  event: ClientDataValidationErrorEvent,
) => Awaitable<void>;

/**
 * Trigger.dev's `reportErrorAt`: when an invalid steering frame's error is reported. Baton has no
 * steering frames yet: a message that arrives during a turn waits until that turn ends and is
 * validated when its own turn opens, so `'arrival'` is accepted and changes nothing
 * (docs/agents/custom-agents.md).
 */
export type ClientDataErrorReporting = 'arrival';

/**
 * Checks a message's client data before it reaches the agent: the data as the agent gets it, or
 * why it is invalid (the error callbacks have been called then).
 */
export type ClientDataValidator = (
  clientData: Record<string, unknown> | undefined,
  source: { trigger: ChatTrigger | 'preload'; message: UIMessage | undefined },
) => Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }>;

/**
 * The validator of one run of a custom agent: the schema's output for valid data; for invalid
 * data the error, after each handler was told, in order (the builder's `onValidationError`, then
 * the agent's `onClientDataValidationError`). A handler that throws is logged, never the turn's.
 */
export function createClientDataValidator(
  schema: StandardSchema,
  handlers: ReadonlyArray<ClientDataValidationErrorHandler | undefined>,
  session: AgentSession,
): ClientDataValidator {
  return async (clientData, source) => {
    try {
      return { ok: true, value: await validateWithSchema(schema, clientData) };
    } catch (error) {
      const event: ClientDataValidationErrorEvent = {
        error,
        chatId: session.state.chatId,
        runId: session.state.runId,
        trigger: source.trigger,
        message: source.message,
        clientData,
      };
      for (const handler of handlers) {
        try {
          await handler?.(event);
        } catch (handlerError) {
          session.logger.error({ err: handlerError }, 'a client data validation callback failed');
        }
      }
      return { ok: false, error };
    }
  };
}
