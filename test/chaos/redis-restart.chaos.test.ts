import { chatKeys } from '@baton/redis';
import { type BatonStack, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparableParts, referenceAnswer, whenAnswer } from './chaos-harness.ts';

// Issue 3, failure 5: Redis restarts (SIGKILL, then started again on its AOF with
// `appendfsync always`). Gateways and workers reconnect by themselves, the turns in flight are
// recovered, and no accepted message is lost. docs/operations/redis-persistence.md says what
// `everysec` may lose instead.

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 2,
    redis: { appendFsync: 'always' },
    env: { BATON_DEMO_DELAY_MS: '20' },
    workerEnv: { BATON_IDLE_TIMEOUT_SECONDS: '60' },
  });
  redis = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
  // Redis is killed on purpose: this client reconnects, and its refused attempts are not news.
  redis.on('error', () => {});
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

const DOWNTIME_MS = 3_000;

describe('a Redis restart', () => {
  it('recovers turns in flight and loses no accepted message', async () => {
    const text = Array.from({ length: 60 }, (_, index) => `durable${index}`).join(' ');
    const reference = await referenceAnswer(stack, 'demo', text);
    const sessions = await Promise.all([1, 2, 3].map(() => stack.createSession()));
    const chats = sessions.map((session) => stack.openChat(session));
    const sending = chats.map((chat) => chat.sendMessage({ text }));
    await Promise.all(
      chats.map((chat) => whenAnswer(chat, (message) => textOf(message).length > 30, 'streaming')),
    );

    await stack.redis.kill();
    await new Promise((resolve) => setTimeout(resolve, DOWNTIME_MS));
    await stack.redis.start();

    await Promise.all(sending);
    await waitUntil(
      async () => {
        const turns = await Promise.all(
          sessions.map((session) => redis.hget(chatKeys(session.chatId).session, 'turns')),
        );
        return turns.every((count) => count === '1');
      },
      { description: 'every turn in flight completed', timeoutMs: 30_000, intervalMs: 200 },
    );
    for (const [index, session] of sessions.entries()) {
      const persisted = await stack.fetchMessages(session);
      expect(
        persisted.map((message) => message.role),
        `chat ${index}`,
      ).toEqual(['user', 'assistant']);
      expect(comparableParts(persisted.at(-1)), `chat ${index}`).toEqual(
        comparableParts(reference),
      );
      // A client whose stream survived holds the answer; one whose gateway lost Redis under it
      // saw an error and, like a reloaded page, restores the answer from the server.
      const chat = chats[index];
      if (chat?.status === 'ready') expect(chat.lastMessage).toEqual(persisted.at(-1));
    }

    // The system is whole again: every chat, reloaded from the server, takes its next turn.
    const reloaded = await Promise.all(
      sessions.map(async (session) =>
        stack.openChat(session, { messages: await stack.fetchMessages(session) }),
      ),
    );
    await Promise.all(reloaded.map((chat) => chat.sendMessage({ text: 'after the restart' })));
    for (const chat of reloaded) {
      expect(textOf(chat.lastMessage)).toBe(
        'Turn 2: you said "after the restart". I have seen 2 user messages.',
      );
    }
  });

  it('keeps a message accepted just before Redis died (appendfsync always)', async () => {
    const session = await stack.createSession();
    const response = await fetch(`${stack.gatewayUrl}/api/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: session.chatId,
        message: { id: 'accepted-1', role: 'user', parts: [{ type: 'text', text: 'keep me' }] },
      }),
    });
    // The response started: the gateway appended the message. Redis dies at once.
    expect(response.status).toBe(200);
    await stack.redis.kill();
    await response.body?.cancel().catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 500));
    await stack.redis.start();

    await waitUntil(
      async () => (await redis.hget(chatKeys(session.chatId).session, 'turns')) === '1',
      { description: 'the accepted message is answered', timeoutMs: 30_000, intervalMs: 200 },
    );
    expect((await stack.fetchMessages(session)).map(textOf)).toEqual([
      'keep me',
      'Turn 1: you said "keep me". I have seen 1 user messages.',
    ]);
  });
});
