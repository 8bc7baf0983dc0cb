import { currentChatContext } from '../chat-context.ts';
import type { RunEndReason } from './chat-run.ts';
import type { ChatTaskWirePayload } from './wire-payload.ts';

/** What a wait for the chat's next message resolves. */
export type WaitForMessageResult =
  | { ok: true; output: ChatTaskWirePayload }
  /**
   * No message for this run: `suspended` (idle past the timeout: the chat is checkpointed and the
   * next message re-enters `run` on any worker), `handed-over` (the worker drains; another one
   * continues the chat) or `cancelled` (the run lost the chat). Return from `run`.
   */
  | { ok: false; reason: RunEndReason };

export type WaitWithIdleTimeoutOptions = {
  /** Warm wait before the chat is suspended. @default the agent's idle timeout */
  idleTimeoutInSeconds?: number;
  /**
   * Trigger.dev's suspended-wait limit. On Baton a suspended chat holds no run at all, so there is
   * nothing to time out: accepted for porting and ignored (docs/agents/custom-agents.md).
   */
  timeout?: string;
  /** Trigger.dev's tracing span name; accepted for porting. */
  spanName?: string;
};

/**
 * The chat's incoming messages (Trigger.dev's `chat.messages`). Taking a message completes the
 * turn still open (if `chat.writeTurnComplete` was not called) and opens the new message's turn.
 */
export const chatMessages = {
  /**
   * The next message: waits warm up to `idleTimeoutInSeconds`, then suspends the chat and resolves
   * `{ ok: false, reason: 'suspended' }` (a pool cannot keep the loop's stack across a suspend).
   */
  async waitWithIdleTimeout(
    options: WaitWithIdleTimeoutOptions = {},
  ): Promise<WaitForMessageResult> {
    const { run } = currentChatContext('chat.messages.waitWithIdleTimeout');
    const idleTimeoutMs =
      options.idleTimeoutInSeconds === undefined
        ? run.defaultIdleTimeoutMs
        : options.idleTimeoutInSeconds * 1000;
    const next = await run.nextMessage(idleTimeoutMs);
    return next.ok ? { ok: true, output: next.payload } : next;
  },

  /** `waitWithIdleTimeout` with the agent's idle timeout. */
  async wait(options: Omit<WaitWithIdleTimeoutOptions, 'idleTimeoutInSeconds'> = {}) {
    return chatMessages.waitWithIdleTimeout(options);
  },
};
