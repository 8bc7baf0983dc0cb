import type { CreateSessionResponse } from '@baton/protocol';
import { chatKeys } from '@baton/redis';
import { type BatonStack, DEMO_AGENTS, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PreloadRecord, preloadLogKey } from './fixtures/preload-agents.ts';

// Preload through real processes (docs/agents/preload.md): `POST /v1/sessions` with
// `preload: true` starts the chat's run before its first message; `onPreload` runs, and the first
// message, sent by the stock AI SDK chat, is answered by that same run, with Trigger.dev's hooks
// in Trigger.dev's order. A preload never starts a second run.

let stack: BatonStack;
let redis: Redis;
let chatCount = 0;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 2,
    workerEnv: {
      BATON_AGENTS: `${DEMO_AGENTS},${new URL('./fixtures/preload-agents.ts', import.meta.url).pathname}`,
      BATON_IDLE_TIMEOUT_SECONDS: '60',
    },
  });
  redis = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

function newChatId(): string {
  chatCount += 1;
  return `preload-chat-${chatCount}`;
}

/** `POST /v1/sessions` with the secret key; the raw response, for its status and body. */
function postSession(body: unknown): Promise<Response> {
  return stack.balancedFetch(`${stack.gatewayUrl}/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function preload(
  agent: string,
  chatId: string,
  clientData?: Record<string, unknown>,
): Promise<CreateSessionResponse> {
  const response = await postSession({ agent, chatId, preload: true, clientData });
  expect(response.ok).toBe(true);
  return (await response.json()) as CreateSessionResponse;
}

async function records(chatId: string): Promise<PreloadRecord[]> {
  const entries = await redis.lrange(preloadLogKey(chatId), 0, -1);
  return entries.map((entry) => JSON.parse(entry) as PreloadRecord);
}

async function hasRecord(chatId: string, hook: string): Promise<boolean> {
  return (await records(chatId)).some((entry) => entry.hook === hook);
}

/** `hook`, `hook turn` or `hook phase` for every record. */
function sequence(entries: PreloadRecord[]): string[] {
  return entries.map(({ hook, turn, phase }) =>
    [hook, turn ?? phase].filter((part) => part !== undefined).join(' '),
  );
}

/** The session fields that count claims (`epoch`) and started runs (`runSeq`). */
async function runCounters(chatId: string) {
  const [epoch, runSeq, preloadRunSeq, turns] = await redis.hmget(
    chatKeys(chatId).session,
    'epoch',
    'runSeq',
    'preloadRunSeq',
    'turns',
  );
  return {
    epoch: Number(epoch),
    runSeq: Number(runSeq),
    preloadRunSeq: Number(preloadRunSeq ?? 0),
    turns: Number(turns),
  };
}

describe('preload through the stack', () => {
  it('runs onPreload before the first message, which the preloaded run then answers', async () => {
    const chatId = newChatId();
    const created = await preload('preloaded', chatId, { userId: 'ada' });
    expect(created).toMatchObject({ chatId, agent: 'preloaded', isNew: true, preloaded: true });

    await waitUntil(() => hasRecord(chatId, 'onPreload'), {
      description: 'the preloaded run calls onPreload',
    });
    // A second preload, a retry say, starts nothing and says so; its fresh token works as well.
    const again = await preload('preloaded', chatId, { userId: 'ada' });
    expect(again).toMatchObject({ chatId, isNew: false, preloaded: false });

    const chat = stack.openChat(again);
    await chat.sendMessage({ text: 'hello' }, { body: { userId: 'ada' } });
    expect(textOf(chat.lastMessage)).toBe('Turn 1: you said "hello". I have seen 1 user messages.');

    await waitUntil(() => hasRecord(chatId, 'onTurnComplete'), {
      description: 'the first turn completes',
    });
    const entries = await records(chatId);
    expect(sequence(entries)).toEqual([
      'onPreload',
      'onValidateMessages 0',
      'onChatStart',
      'onTurnStart 0',
      'onTurnComplete 0',
    ]);
    expect(entries[0]).toMatchObject({ clientData: { userId: 'ada' } });
    // One run answered the first message: the one the preload started, claimed once.
    const runIds = new Set(entries.flatMap(({ runId }) => (runId ? [runId] : [])));
    expect([...runIds]).toEqual([`run-${chatId}-1`]);
    expect(entries.filter(({ preloaded }) => preloaded !== undefined)).toEqual(
      expect.arrayContaining([expect.objectContaining({ hook: 'onChatStart', preloaded: true })]),
    );
    expect(entries.every(({ preloaded }) => preloaded !== false)).toBe(true);
    expect(await runCounters(chatId)).toEqual({ epoch: 1, runSeq: 1, preloadRunSeq: 1, turns: 1 });

    // A chat that has turns is never preloaded again.
    expect(await preload('preloaded', chatId)).toMatchObject({ preloaded: false });
    expect((await runCounters(chatId)).runSeq).toBe(1);
  });

  it('suspends a preloaded run that idles out (phase preload); the first message resumes it', async () => {
    const chatId = newChatId();
    await preload('preloaded-brief', chatId, { userId: 'bob' });
    await waitUntil(
      async () =>
        (await redis.hget(chatKeys(chatId).session, 'status')) === 'suspended' &&
        (await hasRecord(chatId, 'onChatSuspend')),
      { description: 'the preloaded run suspends after its preload idle timeout' },
    );

    const session = await stack.createSession('preloaded-brief', chatId);
    const chat = stack.openChat(session);
    await chat.sendMessage({ text: 'late' }, { body: { userId: 'bob' } });
    expect(textOf(chat.lastMessage)).toBe('Turn 1: you said "late". I have seen 1 user messages.');
    await waitUntil(() => hasRecord(chatId, 'onTurnComplete'), {
      description: 'the first turn completes',
    });

    const entries = await records(chatId);
    expect(sequence(entries)).toEqual([
      'onPreload',
      'onChatSuspend preload',
      'onChatResume preload',
      'onValidateMessages 0',
      'onChatStart',
      'onTurnStart 0',
      'onTurnComplete 0',
    ]);
    // The first message resumed the chat in a new run, as any suspended chat; still preloaded.
    expect(entries[1]?.runId).toBe(`run-${chatId}-1`);
    expect(entries[2]?.runId).toBe(`run-${chatId}-2`);
    expect(entries.at(-1)).toMatchObject({ runId: `run-${chatId}-2`, preloaded: true });
  });

  it('starts one run when a preload races the first message', async () => {
    const chatId = newChatId();
    const session = await stack.createSession('preloaded', chatId);
    const chat = stack.openChat(session);
    const [preloadResponse] = await Promise.all([
      postSession({ agent: 'preloaded', chatId, preload: true, clientData: { userId: 'eve' } }),
      chat.sendMessage({ text: 'race' }, { body: { userId: 'eve' } }),
    ]);
    expect(preloadResponse.status).toBe(200);
    expect(textOf(chat.lastMessage)).toBe('Turn 1: you said "race". I have seen 1 user messages.');
    await waitUntil(() => hasRecord(chatId, 'onTurnComplete'), {
      description: 'the first turn completes',
    });

    const entries = await records(chatId);
    const { preloaded } = (await preloadResponse.json()) as CreateSessionResponse;
    // Whichever won, one run started and answered the message once.
    expect(await runCounters(chatId)).toEqual({
      epoch: 1,
      runSeq: 1,
      preloadRunSeq: preloaded ? 1 : 0,
      turns: 1,
    });
    expect(sequence(entries).filter((hook) => hook.startsWith('onTurnStart'))).toEqual([
      'onTurnStart 0',
    ]);
    expect(sequence(entries).includes('onPreload')).toBe(preloaded);
  });

  it('refuses a preload that is not a boolean with 400 and creates nothing', async () => {
    const chatId = newChatId();
    const response = await postSession({ agent: 'preloaded', chatId, preload: 'yes' });
    expect(response.status).toBe(400);
    expect(await redis.exists(chatKeys(chatId).session)).toBe(0);
  });

  it('preloads a custom agent: run gets trigger "preload", createSession waits for the first message', async () => {
    const chatId = newChatId();
    const created = await preload('preloaded-custom', chatId, { userId: 'ada' });
    expect(created.preloaded).toBe(true);
    await waitUntil(() => hasRecord(chatId, 'run'), {
      description: 'the preloaded run enters the custom agent',
    });

    const chat = stack.openChat(created);
    await chat.sendMessage({ text: 'custom' });
    expect(textOf(chat.lastMessage)).toBe(
      'Turn 1: you said "custom". I have seen 1 user messages.',
    );
    await chat.sendMessage({ text: 'again' });
    expect(textOf(chat.lastMessage)).toBe('Turn 2: you said "again". I have seen 2 user messages.');

    const entries = await records(chatId);
    // One entry into `run`, the preload; both messages were turns of its session loop.
    expect(entries).toEqual([
      {
        hook: 'run',
        runId: `run-${chatId}-1`,
        trigger: 'preload',
        clientData: { userId: 'ada' },
      },
      { hook: 'turn', runId: `run-${chatId}-1`, turn: 0 },
      { hook: 'turn', runId: `run-${chatId}-1`, turn: 1 },
    ]);
    expect(await runCounters(chatId)).toMatchObject({ epoch: 1, runSeq: 1, turns: 2 });
  });
});
