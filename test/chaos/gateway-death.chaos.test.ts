import { chatKeys } from '@baton/redis';
import { type BatonStack, sseText, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparableParts, referenceAnswer, whenAnswer } from './chaos-harness.ts';

// Issue 3, failure 4: a gateway dies. Right after it appended a message and before it enqueued
// the run (a fault point makes that moment reachable): the reconciler enqueues the chat, and a
// client that retries through another gateway gets the one answer. In the middle of an SSE
// response: the client resumes through another gateway and ends with the whole answer.

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({
    gateways: 2,
    workers: 2,
    env: { BATON_DEMO_DELAY_MS: '20' },
    workerEnv: { BATON_RECONCILE_INTERVAL_MS: '300', BATON_RECONCILE_GRACE_MS: '500' },
  });
  redis = new Redis(stack.redis.url);
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

async function turnsOf(chatId: string): Promise<number> {
  return Number(await redis.hget(chatKeys(chatId).session, 'turns'));
}

describe('a gateway that dies between append and enqueue', () => {
  it('leaves no chat stuck: the reconciler runs it, and a retry through another gateway is one turn', async () => {
    const faulty = await stack.startGateway({ BATON_FAULT_INJECTION: 'gateway-after-append' });
    const unattended = await stack.createSession();
    const retried = await stack.createSession();

    const send = (chatId: string, token: string, gatewayUrl: string) =>
      fetch(`${gatewayUrl}/api/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: chatId,
          message: { id: 'user-1', role: 'user', parts: [{ type: 'text', text: 'are you there' }] },
        }),
      });
    await expect(send(unattended.chatId, unattended.token, faulty.url)).rejects.toThrow();
    await faulty.process.exited;
    // The record was appended, and no job was enqueued.
    expect(await redis.xlen(chatKeys(unattended.chatId).input)).toBe(1);
    expect(await redis.hget(chatKeys(unattended.chatId).session, 'status')).toBe('queued');

    // Nobody retries this one: the reconciler must notice and enqueue it.
    await waitUntil(async () => (await turnsOf(unattended.chatId)) === 1, {
      description: 'the reconciler runs the stranded chat',
      timeoutMs: 15_000,
    });
    const unattendedMessages = await stack.fetchMessages(unattended);
    expect(unattendedMessages.map(textOf)).toEqual([
      'are you there',
      'Turn 1: you said "are you there". I have seen 1 user messages.',
    ]);

    // This one's client retries the same request through the other gateway.
    const second = await stack.startGateway({ BATON_FAULT_INJECTION: 'gateway-after-append' });
    await expect(send(retried.chatId, retried.token, second.url)).rejects.toThrow();
    const retry = await send(retried.chatId, retried.token, stack.gatewayUrl);
    expect(sseText(await retry.text())).toBe(
      'Turn 1: you said "are you there". I have seen 1 user messages.',
    );
    expect(await turnsOf(retried.chatId)).toBe(1);
    expect((await stack.fetchMessages(retried)).map(textOf)).toHaveLength(2);
  });
});

describe('a gateway killed mid-SSE', () => {
  it('lets the client resume through another gateway to the whole answer', async () => {
    const text = Array.from({ length: 40 }, (_, index) => `relay${index}`).join(' ');
    const reference = await referenceAnswer(stack, 'demo', text);
    const extra = await stack.startGateway();
    const session = await stack.createSession();
    // The client talks to the new gateway first; its "load balancer" fails over to a live one.
    const chat = stack.openChat(session, {
      fetch: (input, init) => {
        const url = new URL(String(input));
        const origin = extra.process.hasExited ? stack.gatewayUrl : extra.url;
        return fetch(new URL(url.pathname + url.search, origin), init);
      },
    });
    const sending = chat.sendMessage({ text });
    await whenAnswer(chat, (message) => textOf(message).length > 40, 'the answer streams');
    await extra.process.kill();
    await sending;
    expect(chat.status).toBe('error');

    await chat.resumeStream();
    expect(chat.status).toBe('ready');
    expect(comparableParts(chat.lastMessage)).toEqual(comparableParts(reference));
    expect((await stack.fetchMessages(session)).at(-1)).toEqual(chat.lastMessage);
  });
});
