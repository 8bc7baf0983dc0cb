import type { AgentSession } from './agent-session.ts';
import { currentChatContext } from './chat-context.ts';

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

/** A fresh, unset close request for one run of a chat. */
export function createCloseRequest(): CloseRequest {
  return { isRequested: false, reason: undefined };
}

/**
 * Applies a close `chat.close` asked for, unless the run lost the chat: the agent's loop calls it
 * once the turn's output is written. Resolves whether the chat closed; the close is the run's
 * last write (it fences the holder).
 */
export async function applyCloseRequest(
  session: AgentSession,
  request: CloseRequest,
): Promise<boolean> {
  if (!request.isRequested || session.cancelSignal.aborted) return false;
  await session.closeChat(request.reason);
  return true;
}

/**
 * `chat.close({ reason })`: ends the chat for good once the current turn is answered. The chat
 * then refuses new messages (409 `SESSION_CLOSED`), followers of its output see a
 * `session-closed` record, and the run ends without handing the chat on. Call it from any code of
 * an agent's run (`run`, `onBeforeTurnComplete`, a custom agent's loop); outside one it throws,
 * as Trigger.dev's does in a plain task. A second call only replaces the reason.
 */
export function close(options: ChatCloseOptions = {}): void {
  const request = currentChatContext('chat.close').closeRequest;
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
