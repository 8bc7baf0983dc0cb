import { chatKeys } from '@baton/redis';
import { type BatonStack, DEMO_AGENTS, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HookRecord, hookLogKey } from './fixtures/lifecycle-agent.ts';

// Through real processes: one chat's hooks across two turns, an idle suspend and a third turn on
// another worker fire in exactly Trigger.dev's order, `onChatSuspend` on the worker that let the
// chat go and `onChatResume` on the one that took it up; a message that lands while
// `onChatSuspend` runs keeps the chat on its run (docs/agents/hooks.md).

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 2,
    workerEnv: {
      BATON_AGENTS: `${DEMO_AGENTS},${new URL('./fixtures/lifecycle-agent.ts', import.meta.url).pathname}`,
      BATON_IDLE_TIMEOUT_SECONDS: '1',
    },
  });
  redis = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

async function hookLog(chatId: string): Promise<HookRecord[]> {
  const entries = await redis.lrange(hookLogKey(chatId), 0, -1);
  return entries.map((entry) => JSON.parse(entry) as HookRecord);
}

/** `hook turn` for every record, the turn left out where the hook has none. */
function sequence(records: HookRecord[]): string[] {
  return records.map(({ hook, turn }) => (turn === undefined ? hook : `${hook} ${turn}`));
}

async function isSuspended(chatId: string): Promise<boolean> {
  return (await redis.hget(chatKeys(chatId).session, 'status')) === 'suspended';
}

/** The runs that fired the hooks, in order. */
function runsOf(records: HookRecord[]): string[] {
  return [...new Set(records.flatMap(({ runId }) => (runId ? [runId] : [])))];
}

/** A whole turn, as every hook of it fires. */
function turnHooks(turn: number, options: { isFirst?: boolean } = {}): string[] {
  return [
    `onValidateMessages ${turn}`,
    `hydrateMessages ${turn}`,
    ...(options.isFirst ? ['onChatStart'] : []),
    `onTurnStart ${turn}`,
    `prepareMessages ${turn}`,
    `run ${turn}`,
    `onBeforeTurnComplete ${turn}`,
    `onTurnComplete ${turn}`,
  ];
}

describe('chat.agent hooks through the stack', () => {
  it('fires every hook in order across two turns, an idle suspend and a resume on another worker', async () => {
    const session = await stack.createSession('lifecycle');
    const { chatId } = session;
    const chat = stack.openChat(session);

    await chat.sendMessage({ text: 'one' }, { body: { plan: 'pro' } });
    await chat.sendMessage({ text: 'two' }, { body: { plan: 'pro' } });
    expect(textOf(chat.lastMessage)).toBe('Turn 2: you said "two". I have seen 2 user messages.');
    // What onBeforeTurnComplete wrote reached the stock client before the turn ended.
    expect(chat.lastMessage?.parts.at(-1)).toMatchObject({
      type: 'data-turn-summary',
      data: { turn: 1 },
    });

    await waitUntil(
      async () =>
        (await isSuspended(chatId)) && sequence(await hookLog(chatId)).includes('onChatSuspend 1'),
      { description: 'the chat suspends after its idle timeout', timeoutMs: 10_000 },
    );
    const firstRun = await hookLog(chatId);
    const firstWorker = firstRun[0]?.workerId;
    // The worker that ran the chat is gone: the next message can only wake it on the other one.
    await stack.workers.find((worker) => worker.name === firstWorker)?.stop();

    await chat.sendMessage({ text: 'three' }, { body: { plan: 'free' } });
    expect(textOf(chat.lastMessage)).toBe('Turn 3: you said "three". I have seen 3 user messages.');
    await waitUntil(
      async () =>
        (await isSuspended(chatId)) && sequence(await hookLog(chatId)).includes('onChatSuspend 2'),
      { description: 'the chat suspends again', timeoutMs: 10_000 },
    );

    const records = await hookLog(chatId);
    expect(sequence(records)).toEqual([
      ...turnHooks(0, { isFirst: true }),
      ...turnHooks(1),
      'onChatSuspend 1',
      'onChatResume 1',
      ...turnHooks(2),
      'onChatSuspend 2',
    ]);
    const secondRunStart = records.findIndex(({ hook }) => hook === 'onChatResume');
    const workersOf = (from: number, to?: number) =>
      new Set(records.slice(from, to).map(({ workerId, pid }) => `${workerId}/${pid}`));
    expect(workersOf(0, secondRunStart).size).toBe(1);
    expect(workersOf(secondRunStart).size).toBe(1);
    const [secondWorker] = workersOf(secondRunStart);
    expect(secondWorker?.startsWith(`${firstWorker}/`)).toBe(false);
    // Two runs: the suspend ended the first, the resume opened the second.
    expect(runsOf(records)).toHaveLength(2);

    const persisted = await stack.fetchMessages(session);
    expect(persisted.filter(({ role }) => role === 'user').map(textOf)).toEqual([
      'one',
      'two',
      'three',
    ]);
  });

  it('keeps the chat on its worker when a message arrives while onChatSuspend runs', async () => {
    const session = await stack.createSession('lifecycle');
    const { chatId } = session;
    const chat = stack.openChat(session);
    await chat.sendMessage(
      { text: 'one' },
      { body: { plan: 'pro', idleTimeoutInSeconds: 0, holdSuspendForMessage: true } },
    );
    await waitUntil(async () => sequence(await hookLog(chatId)).includes('onChatSuspend 0'), {
      description: 'onChatSuspend starts',
    });
    await chat.sendMessage({ text: 'two' }, { body: { plan: 'pro' } });
    expect(textOf(chat.lastMessage)).toBe('Turn 2: you said "two". I have seen 2 user messages.');
    await waitUntil(
      async () =>
        (await isSuspended(chatId)) && sequence(await hookLog(chatId)).includes('onChatSuspend 1'),
      { description: 'the chat suspends after the second turn' },
    );

    const records = await hookLog(chatId);
    expect(sequence(records)).toEqual([
      ...turnHooks(0, { isFirst: true }),
      'onChatSuspend 0',
      'onChatResume 0',
      ...turnHooks(1),
      'onChatSuspend 1',
    ]);
    // One run: the chat never left its worker.
    expect(runsOf(records)).toHaveLength(1);
  });
});
