import { chatKeys } from '@baton/redis';
import { type BatonStack, DEMO_AGENTS, startBatonStack, textOf, waitUntil } from '@baton/testing';
import type { UIMessage } from 'ai';
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
import { toolRunsKey } from './fixtures/counting-agent.ts';

// Issue 3, failure 1: a worker SIGKILLed mid-turn, in each phase of a turn. Another worker takes
// the chat over within seconds and recovers the turn by docs/architecture.md, "Recovery": the live
// client (no refresh) and a client that reloads and resumes both end with exactly the message an
// uninterrupted run produces, finished steps' tools never run twice, and the chat goes on.

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 2,
    env: { BATON_DEMO_DELAY_MS: '20' },
    workerEnv: {
      BATON_AGENTS: `${DEMO_AGENTS},${COUNTING_AGENT}`,
      BATON_IDLE_TIMEOUT_SECONDS: '60',
      CHAOS_TOOL_DELAY_MS: '600',
    },
  });
  redis = new Redis(stack.redis.url);
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

const STORY = Array.from({ length: 40 }, (_, index) => `story${index}`).join(' ');
const WEATHER = 'What is the weather in Oslo?';

/** SIGKILLs the worker holding the chat and starts a replacement, as an orchestrator would. */
async function killHolder(chatId: string): Promise<void> {
  const holder = await holderOf(stack, redis, chatId);
  await holder.kill();
  await stack.startWorker();
}

/**
 * Asks the weather on a fresh chat, once an uninterrupted reference answered it, and waits until
 * the client sees the tool part in `state`; counts the tool's executions from there.
 */
async function weatherTurnUntil(state: 'input-available' | 'output-available') {
  const reference = await referenceAnswer(stack, 'counting', WEATHER);
  const runsKey = toolRunsKey(toolCallIdOf(reference));
  const runsBefore = Number(await redis.get(runsKey));
  const session = await stack.createSession('counting');
  const chat = stack.openChat(session);
  const sending = chat.sendMessage({ text: WEATHER });
  await whenAnswer(
    chat,
    (message) =>
      message.parts.some((part) => part.type === 'tool-getWeather' && part.state === state),
    `the tool part is ${state}`,
  );
  return { reference, runsKey, runsBefore, session, chat, sending };
}

function toolCallIdOf(message: UIMessage | undefined): string {
  const part = message?.parts.find((candidate) => candidate.type === 'tool-getWeather');
  return (part as { toolCallId?: string } | undefined)?.toolCallId ?? '';
}

describe('a worker killed mid-turn', () => {
  it('while text streams: the live and a reloaded client end with the uninterrupted answer', async () => {
    const reference = await referenceAnswer(stack, 'counting', STORY);
    const session = await stack.createSession('counting');
    const chat = stack.openChat(session);
    const sending = chat.sendMessage({ text: STORY });
    await whenAnswer(chat, (message) => textOf(message).length > 40, 'the answer streams');

    await killHolder(session.chatId);
    // A second client reloads the page mid-recovery: history from the server, then resume.
    const reloaded = stack.openChat(session, { messages: await stack.fetchMessages(session) });
    await Promise.all([sending, reloaded.resumeStream()]);

    expect(chat.status).toBe('ready');
    const kinds = await outputKinds(redis, session.chatId);
    expect(kinds.filter((kind) => kind === 'turn-retry')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'reset-step')).toHaveLength(1);
    expect(comparableParts(chat.lastMessage)).toEqual(comparableParts(reference));
    expect(reloaded.lastMessage).toEqual(chat.lastMessage);
    expect((await stack.fetchMessages(session)).at(-1)).toEqual(chat.lastMessage);

    await chat.sendMessage({ text: 'still there?' });
    expect(textOf(chat.lastMessage)).toBe(
      'Turn 2: you said "still there?". I have seen 2 user messages.',
    );
  });

  it('between steps, after a tool ran: the tool does not run again', async () => {
    const { reference, runsKey, runsBefore, session, chat, sending } =
      await weatherTurnUntil('output-available');

    await killHolder(session.chatId);
    await sending;

    expect(await outputKinds(redis, session.chatId)).toContain('turn-retry');
    expect(comparableParts(chat.lastMessage)).toEqual(comparableParts(reference));
    expect(Number(await redis.get(runsKey)) - runsBefore).toBe(1);
    expect((await stack.fetchMessages(session)).at(-1)).toEqual(chat.lastMessage);
  });

  it('while a tool executes: it runs again with the same tool call id, its step kept', async () => {
    const { reference, runsKey, runsBefore, session, chat, sending } =
      await weatherTurnUntil('input-available');
    const idSeenBeforeTheKill = toolCallIdOf(chat.lastMessage);

    await killHolder(session.chatId);
    await sending;

    // The step was kept, not reset: the tool ran again under the id the client had already seen,
    // the idempotency key of a tool with side effects.
    const kinds = await outputKinds(redis, session.chatId);
    expect(kinds).toContain('turn-retry');
    expect(kinds).not.toContain('reset-step');
    expect(toolCallIdOf(chat.lastMessage)).toBe(idSeenBeforeTheKill);
    expect(comparableParts(chat.lastMessage)).toEqual(comparableParts(reference));
    const runs = Number(await redis.get(runsKey)) - runsBefore;
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThanOrEqual(2);
  });

  it('during the warm wait: the next message is answered with the whole history', async () => {
    const session = await stack.createSession('counting');
    const chat = stack.openChat(session);
    await chat.sendMessage({ text: 'first' });

    await killHolder(session.chatId);
    await chat.sendMessage({ text: 'second' });

    expect(textOf(chat.lastMessage)).toBe(
      'Turn 2: you said "second". I have seen 2 user messages.',
    );
    expect(await redis.hget(chatKeys(session.chatId).session, 'turns')).toBe('2');
    // The new run follows one that ended abnormally: a continuation, in Trigger.dev's meaning.
    const reclaim = new RegExp(
      `"chatId":"${session.chatId}"[^\\n]*"turns":1,"continuation":(true|false)[^\\n]*"chat claimed"`,
    );
    const reclaims = stack.workers.map((worker) => reclaim.exec(worker.output())?.[1]);
    expect(reclaims.filter(Boolean)).toEqual(['true']);
  });
});

describe('a worker killed while checkpointing a turn', () => {
  it('leaves a finished answer that the next holder checkpoints without calling the model', async () => {
    const faulty = await startBatonStack({ workers: 0, env: { BATON_DEMO_DELAY_MS: '5' } });
    const faultyRedis = new Redis(faulty.redis.url);
    try {
      const crashing = await faulty.startWorker({
        BATON_FAULT_INJECTION: 'worker-before-checkpoint',
      });
      const session = await faulty.createSession();
      const chat = faulty.openChat(session);
      const sending = chat.sendMessage({ text: 'hello' });
      await crashing.exited;
      const keys = chatKeys(session.chatId);
      expect(await faultyRedis.hget(keys.session, 'turns')).toBe('0');

      await faulty.startWorker();
      await sending;

      expect(chat.status).toBe('ready');
      expect(textOf(chat.lastMessage)).toBe(
        'Turn 1: you said "hello". I have seen 1 user messages.',
      );
      expect(await faultyRedis.hget(keys.session, 'turns')).toBe('1');
      const output = await faultyRedis.xrange(keys.output, '-', '+');
      const records = output.map(
        ([, fields]) => JSON.parse(fields[1] ?? '{}') as { type?: string; kind?: string },
      );
      expect(records.filter((record) => record.kind === 'turn-retry')).toHaveLength(1);
      expect(records.filter((record) => record.type === 'start')).toHaveLength(1);
      expect(records.filter((record) => record.type === 'reset-step')).toHaveLength(0);
      expect((await faulty.fetchMessages(session)).at(-1)).toEqual(chat.lastMessage);
    } finally {
      faultyRedis.disconnect();
      await faulty.stop();
    }
  });
});

describe('a turn completion whose reply is lost', () => {
  it('is not answered again by the next run; the next message gets the next turn', async () => {
    const faulty = await startBatonStack({ workers: 0, env: { BATON_DEMO_DELAY_MS: '5' } });
    const faultyRedis = new Redis(faulty.redis.url);
    try {
      // The completion is written, then the worker acts as if its reply never came (a stalled or
      // reset connection): the run fails and hands the chat back with the cursor it knows.
      await faulty.startWorker({
        BATON_FAULT_INJECTION: 'worker-after-complete-turn:throw-once',
        BATON_RUN_RETRY_DELAY_MS: '100',
      });
      const session = await faulty.createSession();
      const chat = faulty.openChat(session);
      await chat.sendMessage({ text: 'hello' });
      expect(textOf(chat.lastMessage)).toBe(
        'Turn 1: you said "hello". I have seen 1 user messages.',
      );
      const keys = chatKeys(session.chatId);
      await waitUntil(async () => (await faultyRedis.hget(keys.session, 'status')) !== 'running', {
        description: 'the failed run let the chat go',
        timeoutMs: 10_000,
      });
      // The next run finds nothing to answer: the next message is turn 2, and the first was
      // counted once (the old hand-back answered it again, and this one became turn 3).
      await chat.sendMessage({ text: 'again' });
      expect(textOf(chat.lastMessage)).toBe(
        'Turn 2: you said "again". I have seen 2 user messages.',
      );
      expect(await faultyRedis.hget(keys.session, 'turns')).toBe('2');
      const stored = await faulty.fetchMessages(session);
      expect(stored.map((message) => message.role)).toEqual([
        'user',
        'assistant',
        'user',
        'assistant',
      ]);
    } finally {
      faultyRedis.disconnect();
      await faulty.stop();
    }
  });
});
