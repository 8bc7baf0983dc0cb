import { chatKeys } from '@baton/redis';
import { type BatonStack, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COUNTING_AGENT,
  comparableParts,
  holderOf,
  outputKinds,
  referenceAnswer,
  whenAnswer,
} from './chaos-harness.ts';

// Issue 3, failure 2: a zombie. A worker frozen (SIGSTOP) mid-turn loses its lease to another
// worker, which recovers the turn; woken up (SIGCONT), the zombie writes nothing more (every write
// is fenced by the lease epoch), notices, and aborts its run. No interleaving of two workers.

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 2,
    env: { BATON_DEMO_DELAY_MS: '20' },
    workerEnv: { BATON_AGENTS: COUNTING_AGENT, BATON_IDLE_TIMEOUT_SECONDS: '60' },
  });
  redis = new Redis(stack.redis.url);
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

const STORY = Array.from({ length: 40 }, (_, index) => `zombie${index}`).join(' ');

describe('a zombie worker', () => {
  it('is fenced off after its lease was taken over and aborts its run', async () => {
    const reference = await referenceAnswer(stack, 'counting', STORY);
    const session = await stack.createSession('counting');
    const chat = stack.openChat(session);
    const sending = chat.sendMessage({ text: STORY });
    await whenAnswer(chat, (message) => textOf(message).length > 40, 'the answer streams');

    const zombie = await holderOf(stack, redis, session.chatId);
    const keys = chatKeys(session.chatId);
    const epochBefore = Number(await redis.hget(keys.session, 'epoch'));
    zombie.signal('SIGSTOP');
    try {
      await sending;
      expect(Number(await redis.hget(keys.session, 'epoch'))).toBeGreaterThan(epochBefore);
      expect(comparableParts(chat.lastMessage)).toEqual(comparableParts(reference));
    } finally {
      zombie.signal('SIGCONT');
    }
    const lengthBefore = await redis.xlen(keys.output);
    const kindsBefore = await outputKinds(redis, session.chatId);

    await waitUntil(() => /"msg":"run cancelled"/.test(zombie.output()), {
      description: 'the zombie notices it lost the chat',
      timeoutMs: 15_000,
    });
    expect(zombie.output()).toMatch(/"msg":"lease lost"|"code":"LEASE_LOST"/);
    expect(await redis.xlen(keys.output)).toBe(lengthBefore);
    expect(await outputKinds(redis, session.chatId)).toEqual(kindsBefore);
    expect((await stack.fetchMessages(session)).at(-1)).toEqual(chat.lastMessage);

    await chat.sendMessage({ text: 'after the zombie' });
    expect(textOf(chat.lastMessage)).toBe(
      'Turn 2: you said "after the zombie". I have seen 2 user messages.',
    );
  });
});
