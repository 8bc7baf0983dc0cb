import { type AgentDefinition, markAgentDefinition } from '../agent-definition.ts';
import type { ClientDataOf } from '../chat-agent-options.ts';
import { applyCloseRequest } from '../chat-close.ts';
import { runWithChatContext } from '../chat-context.ts';
import type { RuntimeSettings } from '../runtime-settings.ts';
import type { StandardSchema } from '../standard-schema.ts';
import type { RecoveryOptions } from '../turn-recovery.ts';
import { ChatRun } from './chat-run.ts';
import {
  type ClientDataValidationErrorHandler,
  createClientDataValidator,
} from './client-data-validation.ts';
import { preloadPayloadOf } from './preload-payload.ts';
import type { ChatTaskWirePayload } from './wire-payload.ts';

export type CustomAgentOptions<Schema extends StandardSchema | undefined = undefined> = {
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
  run: (
    payload: ChatTaskWirePayload<ClientDataOf<Schema>>,
    options: { signal: AbortSignal },
  ) => Promise<void> | void;
  /**
   * Validates the client data (`metadata`) of every message before `run` gets it
   * (`chat.withClientData({ schema }).customAgent`): an invalid message is consumed and answered
   * with an `Invalid client data` error, never delivered.
   */
  clientDataSchema?: Schema;
  /**
   * How often one turn may be taken up again after its run died (a crash, a lost lease) before it
   * ends with an error, as `chat.agent`'s `recovery.maxAttempts`. A custom agent answers a
   * recovered message again itself (docs/agents/custom-agents.md). @default 2
   */
  recovery?: Pick<RecoveryOptions, 'maxAttempts'>;
  /**
   * Called when a message's client data fails `clientDataSchema` (Trigger.dev 4.5.16), after the
   * builder's `onValidationError`: for logging or metrics. The message is consumed and answered
   * with the error all the same; a callback that throws is logged.
   */
  onClientDataValidationError?: ClientDataValidationErrorHandler;
};

/** What `chat.withClientData({ onValidationError })` adds before the agent's own callback. */
export type BuilderClientDataOptions = {
  onValidationError?: ClientDataValidationErrorHandler;
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
export function customAgent<Schema extends StandardSchema | undefined = undefined>(
  options: CustomAgentOptions<Schema>,
  builder: BuilderClientDataOptions = {},
): AgentDefinition {
  const schema = options.clientDataSchema;
  const onValidationErrors = [builder.onValidationError, options.onClientDataValidationError];
  return markAgentDefinition({
    id: options.id,
    version: options.version,
    idleTimeoutInSeconds: options.idleTimeoutInSeconds,
    async runSession(session, defaults) {
      // `chat.setIdleTimeoutInSeconds` changes the warm wait of the run's later waits.
      const settings: RuntimeSettings = {
        idleTimeoutInSeconds: options.idleTimeoutInSeconds ?? defaults.idleTimeoutInSeconds,
      };
      const validateClientData =
        schema && createClientDataValidator(schema, onValidationErrors, session);
      const run = new ChatRun(session, {
        settings,
        ...(validateClientData ? { validateClientData } : {}),
        ...(options.recovery?.maxAttempts !== undefined
          ? { maxRecoveryAttempts: options.recovery.maxAttempts }
          : {}),
      });
      const { closeRequest } = run.context;
      return runWithChatContext(run.context, async () => {
        // The run a preload started enters `run` before its first message (preload.md).
        let entry: ChatTaskWirePayload | undefined = await preloadPayloadOf(
          run,
          validateClientData,
        );
        for (;;) {
          if (!entry) {
            const next = await run.nextMessage();
            if (!next.ok) return next.reason;
            entry = next.payload;
          }
          const turnsBefore = run.turns;
          try {
            await options.run(entry as ChatTaskWirePayload<ClientDataOf<Schema>>, {
              signal: session.cancelSignal,
            });
          } catch (error) {
            if (session.cancelSignal.aborted) return 'cancelled';
            run.failTurn(error);
          }
          if (closeRequest.isRequested && !session.cancelSignal.aborted) {
            // Trigger.dev applies `chat.close` when `run` returns: the open turn's output and
            // checkpoint go first, then the close, the run's last write.
            await run.completeTurn();
            await applyCloseRequest(session, closeRequest);
            return 'closed';
          }
          if (run.endReason) return run.endReason;
          // `run` returned with the chat still live: the next message re-enters it, as a
          // continuation unless `run` returned from its preload without taking a message.
          const hasTakenMessage = run.turns !== turnsBefore || run.stopSignal !== undefined;
          if (entry.trigger !== 'preload' || hasTakenMessage) run.markContinuation();
          entry = undefined;
        }
      });
    },
  });
}
