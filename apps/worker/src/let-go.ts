import type { RedisSessionStore } from '@baton/session-store';

/**
 * Lets go of a held chat (docs/architecture.md, "Warm wait and suspend" and "Drain"): suspends it
 * when nothing waits past `readCursor`, else hands it back to the queue with every input up to
 * `handledCursor` marked answered, and enqueues the new run. Without `readCursor` it never
 * suspends (input is known to wait). Both writes are fenced by `epoch`.
 */
export async function letGo(
  store: RedisSessionStore,
  chat: { chatId: string; epoch: number; readCursor?: string; handledCursor?: string },
  enqueueRun: (runSeq: number) => Promise<void>,
): Promise<'suspended' | 'handed-over'> {
  const { chatId, epoch } = chat;
  if (chat.readCursor && (await store.suspend(chatId, epoch, chat.readCursor)) === 'suspended') {
    return 'suspended';
  }
  await enqueueRun(await store.release(chatId, epoch, chat.handledCursor));
  return 'handed-over';
}
