import type { OutputEntry } from '@baton/protocol';
import { compareStreamIds, type RedisSessionStore } from '@baton/session-store';
import type { UIMessage, UIMessageChunk } from 'ai';
import { uiMessageChunks } from './ui-message-chunks.ts';

/**
 * Where the answer to an appended message is (docs/decisions/2026-11-22-turn-framing-and-trimming.md):
 * - `turn`: its turn is in flight, or completed and still retained: replay it from its `turn-start`;
 * - `next`: its turn is still to come: follow the output after `afterId` until its `turn-start`;
 * - `checkpoint`: its turn completed and was trimmed away: the persisted history holds the answer.
 */
export type AnswerLocation =
  | { kind: 'turn'; turnStartId: string }
  | { kind: 'next'; afterId: string }
  | { kind: 'checkpoint' };

/** Text of the `error` chunk that answers a request whose answer the chat no longer holds. */
export const ANSWER_GONE_TEXT =
  'The answer to this request is no longer in the chat history: it was replaced or removed.';

/**
 * Finds the answer to the message appended as `inputId`, whose append saw the output stream end at
 * `outputTailId` (a duplicate append sees the tail at its own time). Bounded: one read of the
 * session and at most one read of one output entry. A turn answers its input once and turns run in
 * input order; `complete-turn.lua` moves the input cursor past the input and trims the output to
 * that turn's `turn-start`, in one step.
 */
export async function locateAnswer(
  store: RedisSessionStore,
  chatId: string,
  input: { inputId: string; outputTailId: string },
): Promise<AnswerLocation> {
  const session = await store.getSession(chatId);
  if (!session) return { kind: 'checkpoint' };
  if (isHandled(session.inputCursor, input.inputId)) {
    // Handled: the output keeps the last completed turn from its `turn-start`, its first entry.
    const [first] = await store.readOutput(chatId, '0-0', 1);
    return first && isTurnStartOf(first, input.inputId)
      ? { kind: 'turn', turnStartId: first.id }
      : { kind: 'checkpoint' };
  }
  const activeTurnId = session.activeTurnOutputId;
  if (activeTurnId) {
    const [active] = await store.readOutputFrom(chatId, activeTurnId, 1);
    if (active?.id === activeTurnId && isTurnStartOf(active, input.inputId)) {
      return { kind: 'turn', turnStartId: activeTurnId };
    }
  }
  // Not handled and not in flight when the session was read, which was after the append: its
  // `turn-start` comes after the tail the append saw.
  return { kind: 'next', afterId: input.outputTailId };
}

/**
 * Whether the chat handled the input `inputId` (or no longer exists), as of now: one field read,
 * since a waiting response asks it every poll interval.
 */
export async function isInputHandled(
  store: RedisSessionStore,
  chatId: string,
  inputId: string,
): Promise<boolean> {
  const inputCursor = await store.inputCursorOf(chatId);
  return inputCursor === undefined || isHandled(inputCursor, inputId);
}

/** Every input up to the cursor is answered. */
function isHandled(inputCursor: string, inputId: string): boolean {
  return compareStreamIds(inputCursor, inputId) >= 0;
}

/** Whether `entry` is the `turn-start` of the turn that answers the input `inputId`. */
export function isTurnStartOf(entry: OutputEntry, inputId: string): boolean {
  return (
    entry.type === 'control' &&
    entry.record.kind === 'turn-start' &&
    entry.record.inputId === inputId
  );
}

/**
 * The answer to `request` as the persisted history holds it, as UI message chunks: the assistant
 * message after a user message, or an assistant message that the request continued (tool
 * approvals) with what it gained since. An `error` chunk when the history no longer has it.
 */
export function answerFromHistory(history: UIMessage[], request: UIMessage): UIMessageChunk[] {
  const index = history.findIndex((message) => message.id === request.id);
  const found = index === -1 ? undefined : history[index];
  if (found && request.role === 'assistant') return uiMessageChunks(found, request);
  const answer = index === -1 ? undefined : history[index + 1];
  if (answer?.role === 'assistant') return uiMessageChunks(answer);
  return [{ type: 'error', errorText: ANSWER_GONE_TEXT }];
}

/** The answer to `request` from the chat's checkpoint; see `answerFromHistory`. */
export async function answerFromCheckpoint(
  store: RedisSessionStore,
  chatId: string,
  request: UIMessage,
): Promise<UIMessageChunk[]> {
  return answerFromHistory((await store.loadMessages(chatId)) as UIMessage[], request);
}
