import { chatKeys } from '@baton/redis';
import { type BatonStack, sseText, startBatonStack } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A client that retries a POST (the same message id and content, e.g. after a timeout) gets the
// same turn again, never a second one: appends are idempotent.

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({ workers: 2, env: { BATON_DEMO_DELAY_MS: '5' } });
  redis = new Redis(stack.redis.url);
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

async function postMessage(token: string, body: string): Promise<string> {
  const response = await fetch(`${stack.gatewayUrl}/api/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  expect(response.status).toBe(200);
  return response.text();
}

describe('a retried POST', () => {
  it('is one turn, whether the retry races the first request or comes after it', async () => {
    const { chatId, token } = await stack.createSession();
    const body = JSON.stringify({
      id: chatId,
      messages: [{ id: 'user-1', role: 'user', parts: [{ type: 'text', text: 'only once' }] }],
      trigger: 'submit-message',
    });
    const [first, concurrentRetry] = await Promise.all([
      postMessage(token, body),
      postMessage(token, body),
    ]);
    const lateRetry = await postMessage(token, body);

    const expected = 'Turn 1: you said "only once". I have seen 1 user messages.';
    expect(sseText(first)).toBe(expected);
    expect(sseText(concurrentRetry)).toBe(expected);
    expect(sseText(lateRetry)).toBe(expected);

    const keys = chatKeys(chatId);
    expect(await redis.hget(keys.session, 'turns')).toBe('1');
    const output = await redis.xrange(keys.output, '-', '+');
    expect(output.filter(([, fields]) => fields[1]?.includes('"turn-start"'))).toHaveLength(1);
    const messages = await stack.fetchMessages({ chatId, token });
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
  });
});
