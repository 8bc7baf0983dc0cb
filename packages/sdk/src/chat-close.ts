import { AsyncLocalStorage } from 'node:async_hooks';

/** Trigger.dev's limit on a close reason, in UTF-16 code units. */
export const MAX_CLOSE_REASON_LENGTH = 256;

/** `chat.close`'s options. */
export type ChatCloseOptions = {
  /** Why the chat ends: on the `session-closed` record; cut to 256 characters. */
  reason?: string;
};

/**
 * A run's close request: set by `chat.close`, applied by the agent's loop once the turn's output
 * reached the client (after the turn of `chat.agent`, when `run` returns for a custom agent).
 */
export type CloseRequest = { isRequested: boolean; reason: string | undefined };

const storage = new AsyncLocalStorage<CloseRequest>();

/** A fresh, unset close request for one run of a chat. */
export function createCloseRequest(): CloseRequest {
  return { isRequested: false, reason: undefined };
}

/** Runs `fn` (and everything it awaits or schedules) with `request` as the run's close request. */
export function runWithCloseRequest<T>(request: CloseRequest, fn: () => T): T {
  return storage.run(request, fn);
}

/**
 * `chat.close({ reason })`: ends the chat for good once the current turn is answered. The chat
 * then refuses new messages (409 `SESSION_CLOSED`), followers of its output see a
 * `session-closed` record, and the run ends without handing the chat on. Call it from any code of
 * an agent's run (`run`, `onBeforeTurnComplete`, a custom agent's loop); outside one it throws,
 * as Trigger.dev's does in a plain task. A second call only replaces the reason.
 */
export function close(options: ChatCloseOptions = {}): void {
  const request = storage.getStore();
  if (!request) {
    throw new Error(
      "chat.close was called outside an agent's run: call it from run() of chat.agent or chat.customAgent, or from a hook (or from code they await)",
    );
  }
  request.isRequested = true;
  request.reason = options.reason === undefined ? undefined : cutReason(options.reason);
}

/** Cuts a reason to the limit without splitting a surrogate pair. */
export function cutReason(reason: string): string {
  if (reason.length <= MAX_CLOSE_REASON_LENGTH) return reason;
  const last = reason.charCodeAt(MAX_CLOSE_REASON_LENGTH - 1);
  const isHighSurrogate = last >= 0xd800 && last <= 0xdbff;
  return reason.slice(0, isHighSurrogate ? MAX_CLOSE_REASON_LENGTH - 1 : MAX_CLOSE_REASON_LENGTH);
}
