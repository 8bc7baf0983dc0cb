import { createHash } from 'node:crypto';
import type { RedisSessionStore } from '@baton/session-store';

/** What identifies a chat request: its trigger, the `messageId` it targets, its message. */
export type ChatRequestIdentity = {
  trigger: 'submit-message' | 'regenerate-message';
  messageId?: string | undefined;
  message: { id: string; role: string };
  /** A custom action's payload (`body.action`). */
  action?: unknown;
};

/**
 * The idempotency key of a chat request that carries no `x-baton-part-id`
 * (docs/decisions/2026-11-22-append-idempotency-key.md): a digest of the trigger, the `messageId`
 * and the message, so that a client's retry, byte for byte the same request, is the same append.
 *
 * A request that replaces an answer (a regeneration, an edit of a user message) is made against
 * the history as it stands: the stock client's `regenerate()` sends the same body every time. Its
 * key also holds the chat's input cursor, which moves when a turn completes: a repeat while the
 * first is pending or running joins it, a repeat after it completed is a new request.
 */
export async function requestPartId(
  store: RedisSessionStore,
  chatId: string,
  request: ChatRequestIdentity,
): Promise<string> {
  if (!replacesAnswer(request)) return requestDigest(request);
  const session = await store.getSession(chatId);
  return requestDigest(request, session?.inputCursor ?? '0-0');
}

/**
 * Whether a request replaces an answer the chat holds: a regeneration, a user message sent with
 * the `messageId` of a message it edits, or a custom action (an "undo" sent twice is two undos,
 * each made against the history as it stands). An assistant message sent back (tool approvals,
 * client-side tool outputs) is not: its content changes with every answer it carries, and a
 * late retry of it must find its turn done rather than run its tools again.
 */
export function replacesAnswer(request: ChatRequestIdentity): boolean {
  return (
    request.action !== undefined ||
    request.trigger === 'regenerate-message' ||
    (Boolean(request.messageId) && request.message.role === 'user')
  );
}

/**
 * The digest behind `requestPartId`. A submit without `messageId` hashes exactly as before this
 * key covered `messageId` (the trigger, then the message JSON), so a claim made before that change
 * still catches its retries; each optional field starts with a NUL, which neither a trigger nor
 * the message JSON (which starts with `{`) holds, so no two requests share their hashed bytes.
 */
export function requestDigest(request: ChatRequestIdentity, inputCursor?: string): string {
  const hash = createHash('sha256').update(request.trigger);
  if (request.messageId) hash.update(`\u0000messageId:${JSON.stringify(request.messageId)}`);
  if (inputCursor !== undefined) hash.update(`\u0000inputCursor:${inputCursor}`);
  if (request.action !== undefined) hash.update(`\u0000action:${JSON.stringify(request.action)}`);
  return hash.update(JSON.stringify(request.message)).digest('base64url');
}
