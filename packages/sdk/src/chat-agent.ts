import type { ToolSet } from 'ai';
import { type AgentDefinition, markAgentDefinition } from './agent-definition.ts';
import type { ChatAgentOptions } from './chat-agent-options.ts';
import { type LoopState, runTurn } from './run-turn.ts';
import type { StandardSchema } from './standard-schema.ts';

/**
 * Defines a chat agent with the managed turn loop (Trigger.dev's `chat.agent`): each message on
 * the chat becomes a turn; `run` gets the accumulated conversation and returns a `streamText`
 * result, which is piped to the chat and accumulated server-side, so clients send only their new
 * message. An error in `run` or a hook ends the turn with an `error` chunk; the chat goes on.
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
>(options: ChatAgentOptions<Schema, Tools>): AgentDefinition {
  return markAgentDefinition({
    id: options.id,
    version: options.version,
    idleTimeoutInSeconds: options.idleTimeoutInSeconds,
    async runSession(session, defaults) {
      const idleTimeoutMs = (options.idleTimeoutInSeconds ?? defaults.idleTimeoutInSeconds) * 1000;
      const state: LoopState = {
        ...session.state,
        messages: [...session.state.messages],
        previousTurnUsage: undefined,
      };
      for (;;) {
        const next = await session.waitForMessage({ idleTimeoutMs });
        if (!next.ok) return next.reason;
        await runTurn(options, session, state, next.message);
      }
    },
  });
}
