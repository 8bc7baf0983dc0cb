import { currentChatRun } from '../chat-context.ts';

/** A stop signal wired to the chat's stop requests (`POST /api/chat/:id/stop`). */
export type ChatStopSignal = {
  /** Aborts when the user stops the turn in flight. */
  readonly signal: AbortSignal;
  /** A fresh signal for the next turn (call it as each turn begins). */
  reset(): void;
  /** Stops listening; call it when the loop ends. */
  cleanup(): void;
};

/**
 * Trigger.dev's `chat.createStopSignal()`: a signal that aborts when the user stops the turn in
 * flight, reset for each turn. Pass it (with `run`'s own signal) to `streamText`.
 */
export function createStopSignal(): ChatStopSignal {
  const run = currentChatRun('chat.createStopSignal');
  let controller = new AbortController();
  const unsubscribe = run.onStop((reason) => controller.abort(reason));
  // A stop that came before this signal was created applies to the turn in flight.
  if (run.stopSignal?.aborted) controller.abort(run.stopSignal.reason);
  return {
    get signal() {
      return controller.signal;
    },
    reset() {
      controller = new AbortController();
    },
    cleanup() {
      unsubscribe();
    },
  };
}
