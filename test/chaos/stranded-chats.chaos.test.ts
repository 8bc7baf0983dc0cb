import { chatKeys } from '@baton/redis';
import { RedisSessionStore } from '@baton/session-store';
import { type BatonStack, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPendingRuns } from './run-jobs.ts';

// Issue 9, finding 1: a chat whose status says the pool has it (`queued` or `running`) while no
// live lease and no job back it must be taken over within seconds, whatever path left it there.
// The paths: a run that failed right after its claim (the reads sat outside the `try`), a run
// that completed after a cancel that was not a lease loss, a claim that gave up on a live lease,
// a hand-back whose enqueue never happened. Each leaves one of the two states below; the
// reconciler's custody index must find both.

const FAILING_AGENT = new URL('./fixtures/failing-agent.ts', import.meta.url).pathname;

let stack: BatonStack;
let redis: Redis;
let store: RedisSessionStore;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 2,
    workerEnv: {
      BATON_RECONCILE_INTERVAL_MS: '300',
      BATON_RECONCILE_GRACE_MS: '1000',
      BATON_LEASE_MS: '1000',
    },
  });
  redis = new Redis(stack.redis.url);
  store = new RedisSessionStore({ redis });
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

const userMessage = (text: string) => ({
  kind: 'message' as const,
  message: {
    id: `user-${text.replaceAll(' ', '-')}`,
    role: 'user' as const,
    parts: [{ type: 'text', text }],
  },
  trigger: 'submit-message' as const,
  receivedAt: Date.now(),
});

/**
 * A message accepted as a gateway accepts it, but never enqueued; then a holder that is not a
 * worker of the stack claims the chat, so its lease runs out unless the test renews it.
 */
async function acceptAndClaimAsGhost(chatId: string, text: string): Promise<number> {
  await store.appendInput(chatId, userMessage(text), `part-${text.replaceAll(' ', '-')}`);
  const claim = await store.claim({ chatId, runSeq: 1, workerId: 'ghost', leaseDurationMs: 500 });
  if (!('epoch' in claim)) throw new Error('the ghost could not claim the chat');
  return claim.epoch;
}

async function answered(session: { chatId: string; token: string }, text: string): Promise<void> {
  await waitUntil(
    async () => {
      const messages = await stack.fetchMessages(session);
      return textOf(messages.at(-1)) === `Turn 1: you said "${text}". I have seen 1 user messages.`;
    },
    { description: `chat ${session.chatId} is answered`, timeoutMs: 15_000, intervalMs: 100 },
  );
}

describe('a chat the pool lost', () => {
  it('is taken over when it is running under a holder that is gone and no job backs it', async () => {
    const session = await stack.createSession();
    // The holder disappears without a trace in BullMQ (its job completed, failed, or never was).
    expect(await acceptAndClaimAsGhost(session.chatId, 'hello ghost')).toBe(1);
    expect(await redis.hget(chatKeys(session.chatId).session, 'status')).toBe('running');

    await answered(session, 'hello ghost');
    const messages = await stack.fetchMessages(session);
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
  });

  it('is taken over when it is queued under a run sequence that has no job', async () => {
    const session = await stack.createSession();
    const epoch = await acceptAndClaimAsGhost(session.chatId, 'hand me back');
    // The ghost hands the chat back and dies before it enqueues the new run.
    expect(await store.release(session.chatId, epoch)).toBe(2);

    await answered(session, 'hand me back');
  });

  it('is retried when its run fails right after the claim, and answered once', async () => {
    const faulty = await stack.startWorker({
      BATON_FAULT_INJECTION: 'worker-after-claim:throw-once',
    });
    // Only the faulty worker takes jobs for this chat's first run: the others are stopped.
    const others = stack.workers.filter((worker) => worker !== faulty && !worker.hasExited);
    await Promise.all(others.map((worker) => worker.stop(5_000)));
    try {
      const session = await stack.createSession();
      const chat = stack.openChat(session);
      await chat.sendMessage({ text: 'fail once' });
      expect(chat.status).toBe('ready');
      expect(textOf(chat.lastMessage)).toBe(
        'Turn 1: you said "fail once". I have seen 1 user messages.',
      );
      expect(faulty.output()).toContain('fault injected at worker-after-claim');
      expect(await redis.hget(chatKeys(session.chatId).session, 'turns')).toBe('1');
    } finally {
      for (let index = 0; index < others.length; index += 1) await stack.startWorker();
    }
  });
});

describe('a turn whose runs all fail before the agent can end it', () => {
  it('is retried a bounded number of times, then ends with an error; nothing is left running', async () => {
    const poisoned = await stack.startWorker({
      BATON_AGENTS: FAILING_AGENT,
      BATON_MAX_RUN_ATTEMPTS: '3',
      BATON_RUN_RETRY_DELAY_MS: '100',
    });
    const session = await stack.createSession('failing');
    const chat = stack.openChat(session);
    await chat.sendMessage({ text: 'poison' });
    expect(chat.status).toBe('error');
    const keys = chatKeys(session.chatId);
    // The error chunk reaches the client before the turn's completion is written after it
    // (abandon-turn.ts): on a loaded machine the test read `turns` in between.
    await waitUntil(async () => (await redis.hget(keys.session, 'turns')) === '1', {
      description: 'the abandoned turn is completed',
      timeoutMs: 5_000,
    });
    expect((await stack.fetchMessages(session)).map(textOf)).toEqual(['poison']);
    // Three runs failed with the message pending; the fourth ended its turn, failed too, and
    // found nothing left to answer: the chat is suspended, not retried forever.
    await waitUntil(async () => (await redis.hget(keys.session, 'status')) === 'suspended', {
      description: 'the chat is suspended',
      timeoutMs: 15_000,
    });
    // And no run is left to retry it: nothing active, waiting or delayed on the agent's queue.
    await waitUntil(async () => !(await hasPendingRuns(redis, 'failing')), {
      description: 'no run of the chat is left',
      timeoutMs: 10_000,
    });
    expect(poisoned.output().match(/"msg":"run ended early/g)).toHaveLength(4);
    expect(await redis.hget(keys.session, 'status')).toBe('suspended');
  });
});
