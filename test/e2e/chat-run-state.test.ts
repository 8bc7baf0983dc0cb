import { chatKeys } from '@baton/redis';
import { type BatonStack, DEMO_AGENTS, startBatonStack, textOf, waitUntil } from '@baton/testing';
import type { UIMessage } from 'ai';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferredDoneKey } from './fixtures/state-agent.ts';

// Through real processes: what an agent keeps besides its answers (`chat.local`, `chat.inject`
// from `chat.defer` work, `chat.history` edits of an action, persisted and transient data parts)
// survives idle suspends and moves between workers with the chat.

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 2,
    workerEnv: {
      BATON_AGENTS: `${DEMO_AGENTS},${new URL('./fixtures/state-agent.ts', import.meta.url).pathname}`,
      BATON_IDLE_TIMEOUT_SECONDS: '0',
    },
  });
  redis = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

async function untilSuspended(chatId: string): Promise<void> {
  await waitUntil(
    async () => (await redis.hget(chatKeys(chatId).session, 'status')) === 'suspended',
    { description: 'the chat suspends', timeoutMs: 10_000 },
  );
}

function dataParts(message: UIMessage | undefined, type: string): unknown[] {
  return (message?.parts ?? []).flatMap((part) =>
    part.type === type ? [(part as { data: unknown }).data] : [],
  );
}

describe('run state through the stack', () => {
  it('keeps chat.local values and injected notes across suspends and workers', async () => {
    const session = await stack.createSession('state');
    const chat = stack.openChat(session);

    await chat.sendMessage({ text: 'one' });
    expect(textOf(chat.lastMessage)).toBe('users=one system=BASE');
    expect(dataParts(chat.lastMessage, 'data-visits')).toMatchObject([{ count: 1 }]);
    await untilSuspended(session.chatId);
    // The worker that answered is gone: the next message is answered on the other one.
    const [firstWorker] = (dataParts(chat.lastMessage, 'data-visits')[0] as { workers: string[] })
      .workers;
    await stack.workers.find((worker) => worker.name === firstWorker)?.stop();

    await chat.sendMessage({ text: 'two' });
    // The note deferred work injected after turn 0 was checkpointed and reached turn 1, once.
    expect(textOf(chat.lastMessage)).toBe('users=one|two system=BASE\n\nNOTE-0');
    const visits = dataParts(chat.lastMessage, 'data-visits')[0] as {
      count: number;
      workers: string[];
    };
    expect(visits.count).toBe(2);
    expect(visits.workers).toHaveLength(2);
    expect(visits.workers[1]).not.toBe(firstWorker);
    await untilSuspended(session.chatId);

    // The persisted answers keep the data parts that are not transient, and nothing of
    // chat.stream, which the client saw live.
    expect(dataParts(chat.lastMessage, 'data-status')).toEqual([{ stage: 'started' }]);
    const persisted = await stack.fetchMessages(session);
    const answers = persisted.filter(({ role }) => role === 'assistant');
    expect(answers.map((message) => dataParts(message, 'data-visits').length)).toEqual([1, 1]);
    expect(answers.flatMap((message) => dataParts(message, 'data-progress'))).toEqual([]);
    expect(answers.flatMap((message) => dataParts(message, 'data-status'))).toEqual([]);
  });

  it("holds a turn's output until the chat.deferBeforeOutput work is done", async () => {
    const session = await stack.createSession('state');
    const chat = stack.openChat(session);
    await chat.sendMessage({ text: 'one' });
    const doneAt = Number(await redis.get(deferredDoneKey(session.chatId)));
    // Output entry ids are the times Redis appended them: the turn's first chunk came after.
    const output = await redis.xrange(chatKeys(session.chatId).output, '-', '+');
    const chunkTimes = output
      .filter(([, fields]) => !String(fields[1]).startsWith('{"kind"'))
      .map(([id]) => Number(id.split('-')[0]));
    expect(chunkTimes.length).toBeGreaterThan(0);
    expect(Math.min(...chunkTimes)).toBeGreaterThanOrEqual(doneAt);
  });

  it('chat.endRun lets the chat go after the turn, without its minute of idle wait', async () => {
    const session = await stack.createSession('one-shot');
    const chat = stack.openChat(session);
    await chat.sendMessage({ text: 'one' });
    await untilSuspended(session.chatId);
    await chat.sendMessage({ text: 'two' });
    expect(textOf(chat.lastMessage)).toBe('users=one|two system=');
  });

  it('an undo action removes the last exchange; the next answer no longer sees it', async () => {
    const session = await stack.createSession('state');
    const chat = stack.openChat(session);
    await chat.sendMessage({ text: 'one' });
    await chat.sendMessage({ text: 'two' });
    await untilSuspended(session.chatId);

    // The stock client's regenerate with an action in its body (Trigger.dev's sendAction).
    await chat.regenerate({ body: { action: { type: 'undo' } } });
    const afterUndo = await stack.fetchMessages(session);
    expect(afterUndo.map(textOf)).toEqual(['one', 'users=one system=BASE']);
    // Not a turn: the turn count stays.
    expect(await redis.hget(chatKeys(session.chatId).session, 'turns')).toBe('2');

    await chat.sendMessage({ text: 'three' });
    expect(textOf(chat.lastMessage)).toMatch(/^users=one\|three system=/);
  });

  it('refuses an invalid action with an error and changes nothing', async () => {
    const session = await stack.createSession('state');
    const chat = stack.openChat(session);
    await chat.sendMessage({ text: 'one' });
    const before = await stack.fetchMessages(session);
    await chat.regenerate({ body: { action: { type: 'drop-everything' } } });
    expect(chat.error).toBeDefined();
    expect(await stack.fetchMessages(session)).toEqual(before);
  });
});
