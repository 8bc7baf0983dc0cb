import { runQueueName } from '@baton/protocol';
import { chatKeys, globalKeys } from '@baton/redis';
import { type BatonStack, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// After the idle timeout a worker checkpoints the chat, marks it suspended and completes its job:
// it holds nothing of the chat. Stopping that worker loses nothing: the next message is answered
// by the other worker, with the whole history from the checkpoint.

let stack: BatonStack;
let redis: Redis;
let queue: Queue;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 2,
    env: { BATON_DEMO_DELAY_MS: '2' },
    workerEnv: { BATON_IDLE_TIMEOUT_SECONDS: '1' },
  });
  redis = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
  queue = new Queue(runQueueName('demo'), { connection: redis, prefix: globalKeys().queuePrefix });
});

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await stack?.stop();
});

/** The workers whose log says they claimed the chat. */
function claimedBy(chatId: string): string[] {
  const claim = new RegExp(`"chatId":"${chatId}"[^\\n]*"msg":"chat claimed"`);
  return stack.workers.filter((worker) => claim.test(worker.output())).map((worker) => worker.name);
}

describe('idle release', () => {
  it('suspends an idle chat, frees its job, and resumes it on another worker', async () => {
    const session = await stack.createSession();
    const chat = stack.openChat(session);
    await chat.sendMessage({ text: 'remember me' });
    expect(textOf(chat.lastMessage)).toBe(
      'Turn 1: you said "remember me". I have seen 1 user messages.',
    );

    const sessionKey = chatKeys(session.chatId).session;
    // The chat is suspended first, then its job completes: wait for both.
    await waitUntil(
      async () => {
        const counts = await queue.getJobCounts('active', 'wait', 'delayed');
        const status = await redis.hget(sessionKey, 'status');
        return status === 'suspended' && Object.values(counts).every((count) => count === 0);
      },
      { description: 'the chat is suspended and no job is left', timeoutMs: 5_000 },
    );
    expect(await redis.hget(sessionKey, 'holder')).toBe('');

    const [firstHolder] = claimedBy(session.chatId);
    const served = stack.workers.find((worker) => worker.name === firstHolder);
    expect(served).toBeDefined();
    await served?.stop();
    expect(served?.hasExited).toBe(true);

    await chat.sendMessage({ text: 'do you still know me' });
    expect(textOf(chat.lastMessage)).toBe(
      'Turn 2: you said "do you still know me". I have seen 2 user messages.',
    );
    const holders = claimedBy(session.chatId);
    expect(holders).toHaveLength(2);
    expect(holders.filter((name) => name !== firstHolder)).toHaveLength(1);
    // A resume after an idle suspend is not a continuation (Trigger.dev's meaning).
    const resumedBy = stack.workers.find((worker) => worker.name !== firstHolder);
    expect(resumedBy?.output()).toMatch(
      new RegExp(
        `"chatId":"${session.chatId}"[^\\n]*"turns":1,"continuation":false[^\\n]*"chat claimed"`,
      ),
    );
  });
});
