import type { ServiceProcess } from '@baton/testing';
import type { RedisConnection } from './redis-connection.ts';

const KEY_PREFIX = process.env.BATON_KEY_PREFIX || 'baton';
const POLL_INTERVAL_MS = 5;

/**
 * The session hash of a chat: `chatKeys(chatId).session` of `@baton/redis`, spelled out here
 * because the bench does not depend on that package.
 */
export function sessionKey(chatId: string): string {
  return `${KEY_PREFIX}:{${chatId}}:session`;
}

/** The worker id in the chat's session `holder` field; empty while nobody holds it. */
export async function holderIdOf(redis: RedisConnection, chatId: string): Promise<string> {
  const holder = await redis.command('HGET', sessionKey(chatId), 'holder');
  return typeof holder === 'string' ? holder : '';
}

/** The live worker process that holds the chat, polled until one does. */
export async function holderOf(
  redis: RedisConnection,
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
