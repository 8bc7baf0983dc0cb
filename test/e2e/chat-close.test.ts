import { runQueueName } from '@baton/protocol';
import { chatKeys, globalKeys } from '@baton/redis';
import { type BatonStack, DEMO_AGENTS, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPendingRuns, runJobCounts } from '../chaos/run-jobs.ts';

// `chat.close` through real processes: the closing turn's answer reaches the stock client, the
// chat refuses the next message with 409 `SESSION_CLOSED`, and the worker let go of it (no lease,
// no job left to run it).

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 1,
    workerEnv: {
      BATON_AGENTS: `${DEMO_AGENTS},${new URL('./fixtures/closing-agent.ts', import.meta.url).pathname}`,
      BATON_IDLE_TIMEOUT_SECONDS: '30',
    },
  });
  redis = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

describe('chat.close', () => {
  it('answers the closing turn, then refuses messages and holds no worker', async () => {
    const session = await stack.createSession('closing');
    const chat = stack.openChat(session);
    await chat.sendMessage({ text: 'hello' });
    expect(textOf(chat.lastMessage)).toMatch(/hello/);
    await chat.sendMessage({ text: 'bye' });
    expect(chat.lastMessage?.role).toBe('assistant');
    expect(textOf(chat.lastMessage)).toMatch(/bye/);

    const keys = chatKeys(session.chatId);
    await waitUntil(async () => (await redis.hget(keys.session, 'status')) === 'closed', {
      description: 'the agent closed the chat',
      timeoutMs: 10_000,
    });
    const refused = await fetch(`${stack.gatewayUrl}/api/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: session.chatId,
        message: { id: 'late', role: 'user', parts: [{ type: 'text', text: 'still there?' }] },
      }),
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'SESSION_CLOSED',
    );

    // The worker let go at once (well within the 30 s idle timeout) and nothing requeued it.
    await waitUntil(
      async () => stack.workers[0]?.output().includes('"msg":"chat closed by the agent"') ?? false,
      { description: 'the worker logged the close', timeoutMs: 5_000 },
    );
    expect(await redis.exists(keys.lease)).toBe(0);
    await waitUntil(async () => !(await hasPendingRuns(redis, 'closing')), {
      description: 'the run completed and nothing requeued the chat',
      timeoutMs: 5_000,
    });
    expect(await runJobCounts(redis, 'closing', ['completed'])).toEqual({ completed: 1 });
    const history = await stack.fetchMessages(session);
    expect(history.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(history.map(textOf)[2]).toBe('bye');
    const output = await redis.xrange(keys.output, '-', '+');
    const closedRecord = output
      .map(([, fields]) => JSON.parse(fields[1] ?? '{}') as { kind?: string; reason?: string })
      .find((record) => record.kind === 'session-closed');
    expect(closedRecord).toMatchObject({ reason: 'the user said bye' });
  });

  it('a close from outside wakes the warm run holding the chat: it ends closed, at once', async () => {
    const session = await stack.createSession('demo');
    const chat = stack.openChat(session);
    await chat.sendMessage({ text: 'hello' });
    const key = chatKeys(session.chatId).session;
    // The run holds the chat warm (30 s idle timeout).
    expect(await redis.hget(key, 'status')).toBe('running');
    const closed = await fetch(`${stack.gatewayUrl}/v1/sessions/${session.chatId}/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'account deleted' }),
    });
    expect(closed.status).toBe(200);
    await waitUntil(async () => !(await hasPendingRuns(redis, 'demo')), {
      description: 'the warm run ends',
      timeoutMs: 10_000,
    });
    // Woken by the close record, the run ended as closed: not as a lost lease found at renewal.
    const queue = new Queue(runQueueName('demo'), {
      connection: redis,
      prefix: globalKeys().queuePrefix,
    });
    try {
      const jobs = await queue.getJobs(['completed']);
      const run = jobs.find((job) => job.data.chatId === session.chatId);
      expect(run?.returnvalue).toBe('closed');
    } finally {
      await queue.close();
    }
  });
});
