import { type BatonStack, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holderOf, outputKinds, whenAnswer } from './chaos-harness.ts';

// Issue 3, failure 1, the budget: a turn whose workers keep dying is recovered
// `recovery.maxAttempts` (2) times; the next death ends it with an error chunk and a
// turn-complete, and the chat stays usable.

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({ workers: 2, env: { BATON_DEMO_DELAY_MS: '20' } });
  redis = new Redis(stack.redis.url);
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

const STORY = Array.from({ length: 60 }, (_, index) => `doomed${index}`).join(' ');

/** The output holds `retries` turn-retry records and a text delta written after the last one. */
async function isStreamingAfter(chatId: string, retries: number): Promise<boolean> {
  const kinds = await outputKinds(redis, chatId);
  const retryAt = kinds.lastIndexOf('turn-retry');
  const retriesSeen = kinds.filter((kind) => kind === 'turn-retry').length;
  return retriesSeen === retries && kinds.indexOf('text-delta', retryAt + 1) !== -1;
}

describe('the recovery budget', () => {
  it('ends a turn with an error after its third death, and the chat goes on', async () => {
    const session = await stack.createSession();
    const chat = stack.openChat(session);
    const sending = chat.sendMessage({ text: STORY });
    await whenAnswer(chat, (message) => textOf(message).length > 20, 'the answer streams');

    for (let death = 1; death <= 3; death += 1) {
      await waitUntil(() => isStreamingAfter(session.chatId, death - 1), {
        description: `attempt ${death} streams`,
        timeoutMs: 15_000,
        intervalMs: 10,
      });
      const holder = await holderOf(stack, redis, session.chatId);
      await holder.kill();
      await stack.startWorker();
    }
    await sending;

    expect(chat.status).toBe('error');
    expect(chat.error?.message).toBe('An error occurred while generating the response.');
    const kinds = await outputKinds(redis, session.chatId);
    expect(kinds.filter((kind) => kind === 'turn-retry')).toHaveLength(3);
    expect(kinds.slice(-2)).toEqual(['error', 'turn-complete']);

    await chat.sendMessage({ text: 'are you still there?' });
    expect(chat.status).toBe('ready');
    expect(textOf(chat.lastMessage)).toBe(
      'Turn 2: you said "are you still there?". I have seen 2 user messages.',
    );
  });
});
