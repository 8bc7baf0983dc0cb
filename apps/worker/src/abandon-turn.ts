import { type SessionRecord, upsertMessage } from '@baton/protocol';
import type { RedisSessionStore, WriteFence } from '@baton/session-store';
import type { UIMessage } from 'ai';

/** What the client reads; the cause stays in the worker's log (safe error text). */
const ABANDONED_ERROR_TEXT = 'An error occurred while generating the response.';

/**
 * The worker's last resort for a chat whose runs keep failing before the agent can end the turn
 * itself (`BATON_MAX_RUN_ATTEMPTS`): ends the pending turn without the agent, with an `error`
 * chunk, and checkpoints the message it answers, so the next message starts a fresh turn and the
 * chat stays usable. A turn left in flight keeps its `turn-start` and gets a `turn-retry` first,
 * as a recovery would. Resolves false when no message is pending.
 */
export async function abandonPendingTurn(
  store: RedisSessionStore,
  fence: WriteFence,
  record: SessionRecord,
  messages: UIMessage[],
  attempt: number,
): Promise<boolean> {
  const { chatId, epoch } = fence;
  const pending = (await store.readInput(chatId, record.inputCursor)).find(
    (entry) => entry.record.kind === 'message',
  );
  if (pending?.record.kind !== 'message') return false;
  const turn = record.turns;
  const inputId = pending.id;
  if (record.activeTurnOutputId) {
    await store.appendControl(fence, [
      { kind: 'turn-retry', turn, inputId, attempt, epoch, retriedAt: Date.now() },
    ]);
  } else {
    await store.startTurn(fence, {
      kind: 'turn-start',
      turn,
      inputId,
      epoch,
      startedAt: Date.now(),
    });
  }
  await store.appendChunks(fence, [
    JSON.stringify({ type: 'error', errorText: ABANDONED_ERROR_TEXT }),
  ]);
  const merged = upsertMessage(messages, pending.record.message as UIMessage);
  await store.completeTurn(fence, {
    record: { kind: 'turn-complete', turn, inputId, status: 'error', finishedAt: Date.now() },
    inputCursor: inputId,
    turns: turn + 1,
    totalUsage: record.totalUsage,
    keepCount: merged.keepCount,
    messages: merged.messages.slice(merged.keepCount),
  });
  return true;
}
