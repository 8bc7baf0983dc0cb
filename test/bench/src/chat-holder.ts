import { chatKeys } from '@baton/redis';
import type { ServiceProcess } from '@baton/testing';
import type { Redis } from 'ioredis';

const POLL_INTERVAL_MS = 5;

/** The worker id in the chat's session `holder` field; empty while nobody holds it. */
export async function holderIdOf(redis: Redis, chatId: string): Promise<string> {
  return (await redis.hget(chatKeys(chatId).session, 'holder')) ?? '';
}

/** The live worker process that holds the chat, polled until one does. */
export async function holderOf(
  redis: Redis,
  workers: readonly ServiceProcess[],
  chatId: string,
  timeoutMs = 5_000,
): Promise<ServiceProcess> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const holderId = await holderIdOf(redis, chatId);
    const holder = workers.find((worker) => worker.name === holderId && !worker.hasExited);
    if (holder) return holder;
    if (performance.now() > deadline) {
      throw new Error(`no live worker held chat ${chatId} within ${timeoutMs} ms (${holderId})`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
