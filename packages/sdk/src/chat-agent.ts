import type { ToolSet } from 'ai';
import type { AgentSession } from './agent-session.ts';
import type { ChatAgentOptions } from './chat-agent-options.ts';
import { type LoopState, runTurn } from './run-turn.ts';
import type { StandardSchema } from './standard-schema.ts';

/** Settings a worker gives every session it runs. */
export type AgentRuntimeDefaults = { idleTimeoutInSeconds: number };

const AGENT_MARKER = Symbol.for('baton.agent');

/** A registered agent, as the worker loads it from an agent module. */
export type AgentDefinition = {
  readonly id: string;
  readonly version: string | undefined;
  readonly idleTimeoutInSeconds: number | undefined;
  /** Runs the chat until it suspends, is handed over or is cancelled. */
  runSession(
    session: AgentSession,
    defaults: AgentRuntimeDefaults,
  ): Promise<'suspended' | 'handed-over' | 'cancelled'>;
  readonly [AGENT_MARKER]: true;
};

export function isAgentDefinition(value: unknown): value is AgentDefinition {
  return typeof value === 'object' && value !== null && AGENT_MARKER in value;
}

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
  return {
    id: options.id,
    version: options.version,
    idleTimeoutInSeconds: options.idleTimeoutInSeconds,
    [AGENT_MARKER]: true,
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
  };
}
