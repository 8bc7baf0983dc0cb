import { chatKeys } from '@baton/redis';
import { type BatonStack, DEMO_AGENTS, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `chat.endAndContinue()` through real processes (docs/agents/custom-agents.md): the custom
// agent hands the chat to a fresh run between turns. The worker that ran it lets go at once
// (not after its 60 s idle timeout), so it can die without the chat noticing; the stock client's
// next message is answered by another worker's run, whose payload says `continuation: true`.

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 2,
    workerEnv: {
      BATON_AGENTS: `${DEMO_AGENTS},${new URL('./fixtures/rotating-agent.ts', import.meta.url).pathname}`,
      BATON_IDLE_TIMEOUT_SECONDS: '60',
    },
  });
  redis = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

/** What the rotating agent says about the run that answered. */
function answeredBy(text: string): { worker: string; run: string; continuation: string } {
  const match = /^worker=(\S+) run=(\S+) continuation=(true|false)$/.exec(text);
  if (!match) throw new Error(`not an answer of the rotating agent: ${text}`);
  const [, worker = '', run = '', continuation = ''] = match;
  return { worker, run, continuation };
}

describe('chat.endAndContinue', () => {
  it('moves the chat to a fresh run: the old worker holds nothing, another answers as a continuation', async () => {
    const session = await stack.createSession('rotating');
    const chat = stack.openChat(session);
    const keys = chatKeys(session.chatId);

    await chat.sendMessage({ text: 'hello' });
    const first = answeredBy(textOf(chat.lastMessage));
    expect(first.continuation).toBe('false');
    // Warm: the run holds the chat through its 60 s idle timeout.
    expect(await redis.hget(keys.session, 'status')).toBe('running');

    await chat.sendMessage({ text: 'rotate' });
    expect(answeredBy(textOf(chat.lastMessage))).toEqual(first);
    // The run let go at once: suspended (nothing waits), no lease, long before the idle timeout.
    await waitUntil(async () => (await redis.hget(keys.session, 'status')) === 'suspended', {
      description: 'the run handed the chat on',
      timeoutMs: 10_000,
    });
    expect(await redis.exists(keys.lease)).toBe(0);

    // The worker that ran the chat dies; the chat does not depend on it any more.
    const oldWorker = stack.workers.find((worker) => worker.name === first.worker);
    expect(oldWorker).toBeDefined();
    await oldWorker?.kill();

    await chat.sendMessage({ text: 'again' });
    const next = answeredBy(textOf(chat.lastMessage));
    expect(next.worker).not.toBe(first.worker);
    expect(next.run).not.toBe(first.run);
    expect(next.continuation).toBe('true');

    const history = await stack.fetchMessages(session);
    expect(history.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(history.map(textOf).filter((_, index) => index % 2 === 0)).toEqual([
      'hello',
      'rotate',
      'again',
    ]);
  });
});
