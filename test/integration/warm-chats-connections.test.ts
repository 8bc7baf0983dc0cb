import { chatKeys } from '@baton/redis';
import { type BatonStack, startBatonStack, waitUntil } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// docs/architecture.md, "Warm wait and suspend": chats waiting warm between turns must not each
// hold a Redis connection. One worker holds 40 chats warm; its connections to Redis stay what they
// were with one chat.

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 1,
    env: { BATON_DEMO_DELAY_MS: '0' },
    workerEnv: { BATON_IDLE_TIMEOUT_SECONDS: '120' },
  });
  redis = new Redis(stack.redis.url);
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

async function workerConnections(): Promise<number> {
  const clients = (await redis.client('LIST')) as string;
  return clients.split('\n').filter((line) => / name=baton-worker/.test(line)).length;
}

async function chatOnce(): Promise<string> {
  const session = await stack.createSession();
  const chat = stack.openChat(session);
  await chat.sendMessage({ text: 'hi' });
  return session.chatId;
}

async function runningChats(chatIds: string[]): Promise<number> {
  const statuses = await Promise.all(
    chatIds.map((chatId) => redis.hget(chatKeys(chatId).session, 'status')),
  );
  return statuses.filter((status) => status === 'running').length;
}

describe('warm chats', () => {
  it('cost no Redis connection each: one worker holds 40 with the connections it used for one', async () => {
    const first = await chatOnce();
    await waitUntil(async () => (await runningChats([first])) === 1, {
      description: 'the first chat is held warm',
    });
    const withOneChat = await workerConnections();

    const others = await Promise.all(Array.from({ length: 39 }, () => chatOnce()));
    const all = [first, ...others];
    expect(await runningChats(all)).toBe(40);
    expect(await workerConnections()).toBe(withOneChat);
    expect(withOneChat).toBeLessThanOrEqual(8);
  });
});
