import { chatKeys } from '@baton/redis';
import {
  type BatonStack,
  type RedisServer,
  readSseEvents,
  sseText,
  startBatonStack,
  startRedisServer,
  waitUntil,
} from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// With BATON_REDIS_MIN_REPLICAS=1 the gateway acknowledges a message only once a replica holds
// it, and a worker counts a turn as done only once a replica holds its completion (issue 9,
// finding 6). A frozen replica (SIGSTOP) holds nothing new: the gateway answers 503, the client's
// retry of the same request is one turn; a turn that completes meanwhile is not acknowledged to
// the worker, which stops and lets go of the chat without answering the message twice.

let stack: BatonStack;
let replica: RedisServer;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 1,
    redis: { isLocalProcess: true },
    env: {
      BATON_REDIS_MIN_REPLICAS: '1',
      BATON_REDIS_REPLICA_TIMEOUT_MS: '300',
      BATON_DEMO_DELAY_MS: '60',
    },
  });
  replica = await startRedisServer({ replicaOfPort: stack.redis.port });
  redis = new Redis(stack.redis.url);
  // A replica that finished its sync takes the command stream from its first acknowledgement,
  // sent on a once-a-second timer: until then a `WAIT` finds no replica.
  await redis.set('replica-probe', '1');
  expect(await redis.wait(1, 5_000)).toBe(1);
});

afterAll(async () => {
  redis?.disconnect();
  await replica?.stop();
  await stack?.stop();
});

function post(token: string, body: string): Promise<Response> {
  return fetch(`${stack.gatewayUrl}/api/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
}

function chatBody(chatId: string, messageId: string, text: string): string {
  return JSON.stringify({
    id: chatId,
    messages: [{ id: messageId, role: 'user', parts: [{ type: 'text', text }] }],
    trigger: 'submit-message',
  });
}

async function turnStarts(chatId: string): Promise<number> {
  const output = await redis.xrange(chatKeys(chatId).output, '-', '+');
  return output.filter(([, fields]) => fields[1]?.includes('"turn-start"')).length;
}

describe('BATON_REDIS_MIN_REPLICAS=1', () => {
  it('answers 503 while the replica is frozen; the retry of the same request is one turn', async () => {
    const { chatId, token } = await stack.createSession();
    const body = chatBody(chatId, 'user-1', 'hello');

    replica.pause();
    let refused: Response;
    try {
      refused = await post(token, body);
    } finally {
      replica.resume();
    }
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({
      error: {
        code: 'REPLICATION_TIMEOUT',
        message: 'Temporarily unavailable: retry the same request',
      },
    });

    const retry = await post(token, body);
    expect(retry.status).toBe(200);
    expect(sseText(await retry.text())).toBe(
      'Turn 1: you said "hello". I have seen 1 user messages.',
    );
    expect(await redis.hget(chatKeys(chatId).session, 'turns')).toBe('1');
    expect(await turnStarts(chatId)).toBe(1);
    const messages = await stack.fetchMessages({ chatId, token });
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
  });

  it('hands a chat back when its claim reached no replica, and answers it once it is back', async () => {
    // A gateway that does not wait (BATON_REDIS_MIN_REPLICAS=0) accepts the message while the
    // replica is frozen; the worker's claim then reaches no replica, and its run must not start.
    const { url } = await stack.startGateway({ BATON_REDIS_MIN_REPLICAS: '0' });
    const { chatId, token } = await stack.createSession();
    const worker = stack.workers[0];
    if (!worker) throw new Error('no worker');
    const logStart = worker.output().length;

    replica.pause();
    let answer: Promise<string>;
    try {
      const response = await fetch(`${url}/api/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: chatBody(chatId, 'user-1', 'claimed'),
      });
      expect(response.status).toBe(200);
      answer = response.text();
      await waitUntil(() => worker.output().includes(`claim of chat ${chatId}`), {
        description: 'the claim went unacknowledged',
      });
    } finally {
      replica.resume();
    }

    expect(sseText(await answer)).toBe('Turn 1: you said "claimed". I have seen 1 user messages.');
    const log = worker.output().slice(logStart);
    expect(log).toContain('run ended early; handing the chat back');
    expect(log).not.toContain('"msg":"run failed"');
    expect(await redis.hget(chatKeys(chatId).session, 'turns')).toBe('1');
  });

  it('does not answer a message twice when its completion reached no replica', async () => {
    const { chatId, token } = await stack.createSession();
    const response = await post(token, chatBody(chatId, 'user-1', 'first'));
    expect(response.status).toBe(200);
    if (!response.body) throw new Error('no body');

    // Frozen mid-turn: the chunks still land on the primary, the completion is not acknowledged.
    let text = '';
    try {
      for await (const event of readSseEvents(response.body)) {
        if (event.data === '[DONE]') continue;
        const chunk = JSON.parse(event.data) as { type: string; delta?: string };
        if (chunk.type !== 'text-delta') continue;
        if (text === '') replica.pause();
        text += chunk.delta;
      }
      await waitUntil(
        () => stack.workers[0]?.output().includes(`completeTurn of chat ${chatId}`) ?? false,
        { description: 'the worker saw its turn completion unacknowledged' },
      );
    } finally {
      replica.resume();
    }
    expect(text).toBe('Turn 1: you said "first". I have seen 1 user messages.');

    const second = await post(token, chatBody(chatId, 'user-2', 'second'));
    expect(second.status).toBe(200);
    expect(sseText(await second.text())).toBe(
      'Turn 2: you said "second". I have seen 2 user messages.',
    );
    expect(await redis.hget(chatKeys(chatId).session, 'turns')).toBe('2');
    const messages = await stack.fetchMessages({ chatId, token });
    expect(messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
  });
});
