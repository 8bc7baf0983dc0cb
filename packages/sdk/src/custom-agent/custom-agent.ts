import { type AgentDefinition, markAgentDefinition } from '../agent-definition.ts';
import { runWithChatContext } from '../chat-context.ts';
import { ChatRun } from './chat-run.ts';
import type { ChatTaskWirePayload } from './wire-payload.ts';

export type CustomAgentOptions = {
  /** The agent id: what `POST /v1/sessions` names and `GET /v1/agents` lists. */
  id: string;
  /** The version workers register for this agent. @default the worker's BATON_AGENT_VERSION */
  version?: string;
  /**
   * Warm wait of `chat.messages.wait` and between re-entries of `run`.
   * @default the worker's BATON_IDLE_TIMEOUT_SECONDS, else 30
   */
  idleTimeoutInSeconds?: number;
  /**
   * The agent: answers `payload.message`, and usually loops over `chat.messages` for the next
   * ones. `signal` aborts when the run may no longer write the chat (lease lost, shutdown).
   */
  run: (payload: ChatTaskWirePayload, options: { signal: AbortSignal }) => Promise<void> | void;
};

/**
 * Defines a custom agent (Trigger.dev's `chat.customAgent`): registered like any agent, no hooks
 * and no managed loop; `run` drives its turns with the `chat.*` primitives (`chat.messages`,
 * `chat.pipeAndCapture`, `chat.writeTurnComplete`, `chat.MessageAccumulator`, ...).
 *
 * On a pool a loop cannot keep its JavaScript stack across a suspend: when
 * `chat.messages.waitWithIdleTimeout` finds the chat idle, the chat is checkpointed and suspended,
 * the wait resolves `{ ok: false }` and `run` should return; the next message re-enters `run` on
 * whichever worker claims the chat. The history survives (docs/agents/custom-agents.md). A turn
 * `run` leaves open is completed for it, and an error it throws ends the turn with an error chunk;
 * the chat stays usable.
 *
 * @example
 * ```ts
 * export const myChat = chat.customAgent({
 *   id: 'my-chat',
 *   run: async (payload, { signal }) => {
 *     const conversation = new chat.MessageAccumulator();
 *     let current = payload;
 *     for (let turn = 0; ; turn++) {
 *       const messages = await conversation.addIncoming([current.message], current.trigger, turn);
 *       const { message } = await chat.pipeAndCapture(
 *         streamText({ model, messages, abortSignal: signal }),
 *       );
 *       if (message) await conversation.addResponse(message);
 *       await chat.writeTurnComplete();
 *       const next = await chat.messages.waitWithIdleTimeout({ idleTimeoutInSeconds: 60 });
 *       if (!next.ok) return;
 *       current = next.output;
 *     }
 *   },
 * });
 * ```
 */
export function customAgent(options: CustomAgentOptions): AgentDefinition {
  return markAgentDefinition({
    id: options.id,
    version: options.version,
    idleTimeoutInSeconds: options.idleTimeoutInSeconds,
    async runSession(session, defaults) {
      const idleTimeoutMs = (options.idleTimeoutInSeconds ?? defaults.idleTimeoutInSeconds) * 1000;
      const run = new ChatRun(session, { idleTimeoutMs });
      return runWithChatContext({ run }, async () => {
        for (;;) {
          const next = await run.nextMessage();
          if (!next.ok) return next.reason;
          try {
            await options.run(next.payload, { signal: session.cancelSignal });
          } catch (error) {
            if (session.cancelSignal.aborted) return 'cancelled';
            run.failTurn(error);
          }
          if (run.endReason) return run.endReason;
          // `run` returned with the chat still live: the next message re-enters it.
          run.markContinuation();
        }
      });
    },
  });
}
