import type { RunEndReason } from '../agent-definition.ts';
import { currentChatRun } from '../chat-context.ts';
import type { ChatTaskMessagePayload } from './wire-payload.ts';

/** What a wait for the chat's next message resolves. */
export type WaitForMessageResult =
  | { ok: true; output: ChatTaskMessagePayload }
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

/** What `chat.messages.on` returns: call it, or its `off()` (Trigger.dev's shape), to unsubscribe. */
export type MessageSubscription = (() => void) & { off(): void };

function subscription(unsubscribe: () => void): MessageSubscription {
  return Object.assign(() => unsubscribe(), { off: () => unsubscribe() });
}

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
    const run = currentChatRun('chat.messages.waitWithIdleTimeout');
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

  /**
   * The mailbox (Trigger.dev 4.5.16): the next message waiting to be answered, without taking it
   * or waiting for one. Undefined when none waits.
   */
  async peek(): Promise<ChatTaskMessagePayload | undefined> {
    return currentChatRun('chat.messages.peek').peekMessage();
  },

  /** Whether a message waits to be answered (`peek` without the message). */
  async hasPending(): Promise<boolean> {
    return (await currentChatRun('chat.messages.hasPending').peekMessage()) !== undefined;
  },

  /**
   * Takes the waiting message if there is one, without waiting: the turn still open is completed
   * and the message's turn opens, as `waitWithIdleTimeout` does. Undefined when none waits.
   */
  async next(): Promise<ChatTaskMessagePayload | undefined> {
    return currentChatRun('chat.messages.next').takeWaitingMessage();
  },

  /**
   * Calls `listener` with every message handed to the run from now on, when its turn opens
   * (taken by a wait, by `next`, or re-entering `run`). Returns the unsubscribe function, which is
   * also Trigger.dev's subscription: `subscription.off()`.
   */
  on(listener: (payload: ChatTaskMessagePayload) => void): MessageSubscription {
    return subscription(currentChatRun('chat.messages.on').onMessage(listener));
  },

  /** `on` for the next message only; unsubscribing before it came cancels it. */
  once(listener: (payload: ChatTaskMessagePayload) => void): MessageSubscription {
    const unsubscribe = currentChatRun('chat.messages.once').onMessage((payload) => {
      unsubscribe();
      listener(payload);
    });
    return subscription(unsubscribe);
  },
};
