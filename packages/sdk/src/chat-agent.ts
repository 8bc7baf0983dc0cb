import type { ToolSet } from 'ai';
import { type AgentDefinition, markAgentDefinition } from './agent-definition.ts';
import type { ChatAgentOptions } from './chat-agent-options.ts';
import { assertLoopOptions, runManagedLoop } from './managed-loop.ts';
import type { StandardSchema } from './standard-schema.ts';

/**
 * Defines a chat agent with the managed turn loop (Trigger.dev's `chat.agent`): each message on
 * the chat becomes a turn; `run` gets the accumulated conversation and returns a `streamText`
 * result, which is piped to the chat and accumulated server-side, so clients send only their new
 * message. An error in `run` or a hook ends the turn with an `error` chunk; the chat goes on.
 * The hooks fire in Trigger.dev's order (docs/agents/hooks.md).
 *
 * @example
 * ```ts
 * export const assistant = chat.agent({
 *   id: 'assistant',
 *   run: ({ messages, signal }) =>
 *     streamText({ model: openai('gpt-5-mini'), messages, abortSignal: signal }),
 * });
 * ```
 */
export function chatAgent<
  Schema extends StandardSchema | undefined = undefined,
  Tools extends ToolSet = ToolSet,
  ActionSchema extends StandardSchema | undefined = undefined,
>(options: ChatAgentOptions<Schema, Tools, ActionSchema>): AgentDefinition {
  assertLoopOptions(options);
  return markAgentDefinition({
    id: options.id,
    version: options.version,
    idleTimeoutInSeconds: options.idleTimeoutInSeconds,
    runSession: (session, defaults) =>
      runManagedLoop(options as ChatAgentOptions<Schema, Tools>, session, defaults),
  });
}
