import { EMPTY_USAGE } from '@baton/protocol';
import { createRedisClient } from '@baton/redis';
import { type AppendInputResult, RedisSessionStore, WriteFence } from '@baton/session-store';
import { type RedisServer, startRedisServer } from '@baton/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateAnswer } from './answer-locator.ts';

// Where the answer to an appended message is, read from the session record and the output stream
// as a worker leaves them (start-turn.lua, complete-turn.lua), in each state a retry can meet.

let server: RedisServer;
let redis: Redis;
let store: RedisSessionStore;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisClient({ url: server.url });
  store = new RedisSessionStore({ redis });
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

/** A chat with messages appended, claimed by a worker that runs their turns one by one. */
async function chatWithMessages(chatId: string, texts: string[]) {
  await store.createSession({ chatId, agentId: 'demo' });
  const appended: AppendInputResult[] = [];
  for (const text of texts) {
    const message = { id: text, role: 'user' as const, parts: [{ type: 'text', text }] };
    appended.push(
      await store.appendInput(
        chatId,
        { kind: 'message', message, trigger: 'submit-message', receivedAt: 1 },
        `part-${text}`,
      ),
    );
  }
  const claim = await store.claim({ chatId, runSeq: 1, workerId: 'w1', leaseDurationMs: 60_000 });
  if (!('epoch' in claim)) throw new Error('claim failed');
  const fence = new WriteFence(chatId, claim.epoch);
  let turn = 0;
  const turnStartIds: string[] = [];
  return {
    appended,
    turnStartIds,
    async startTurn(index: number) {
      const inputId = appended[index]?.inputId ?? '';
      await store.startTurn(fence, {
        kind: 'turn-start',
        turn,
        inputId,
        epoch: claim.epoch,
        startedAt: 1,
      });
      turnStartIds[index] = (await store.getSession(chatId))?.activeTurnOutputId ?? '';
      await store.appendChunks(fence, [JSON.stringify({ type: 'start' })]);
    },
    async completeTurn(index: number) {
      const inputId = appended[index]?.inputId ?? '';
      turn += 1;
      await store.completeTurn(fence, {
        record: {
          kind: 'turn-complete',
          turn: turn - 1,
          inputId,
          status: 'complete',
          finishedAt: 1,
        },
        inputCursor: inputId,
        turns: turn,
        totalUsage: EMPTY_USAGE,
        keepCount: 0,
        messages: [],
      });
    },
  };
}

/** What a retry of message `index` sees: its first input id, and the tail at its own time. */
async function retryOf(chatId: string, inputId: string) {
  const [tail] = await redis.xrevrange(store.keys(chatId).output, '+', '-', 'COUNT', 1);
  return { inputId, outputTailId: tail?.[0] ?? '0-0' };
}

describe('locateAnswer', () => {
  it('follows after the tail for a turn still to come, first in line or queued behind another', async () => {
    const chat = await chatWithMessages('to-come', ['a', 'b']);
    const [a, b] = chat.appended.map((appended) => appended.inputId);
    const beforeAnyTurn = await retryOf('to-come', a ?? '');
    expect(await locateAnswer(store, 'to-come', beforeAnyTurn)).toEqual({
      kind: 'next',
      afterId: beforeAnyTurn.outputTailId,
    });

    await chat.startTurn(0);
    const queued = await retryOf('to-come', b ?? '');
    expect(await locateAnswer(store, 'to-come', queued)).toEqual({
      kind: 'next',
      afterId: queued.outputTailId,
    });
  });

  it('replays a turn in flight, then a completed one the output still holds', async () => {
    const chat = await chatWithMessages('retained', ['a']);
    const inputId = chat.appended[0]?.inputId ?? '';
    await chat.startTurn(0);
    const inFlight = await locateAnswer(store, 'retained', await retryOf('retained', inputId));
    expect(inFlight).toEqual({ kind: 'turn', turnStartId: chat.turnStartIds[0] });

    await chat.completeTurn(0);
    const done = await locateAnswer(store, 'retained', await retryOf('retained', inputId));
    expect(done).toEqual({ kind: 'turn', turnStartId: chat.turnStartIds[0] });
  });

  it('answers from the checkpoint once a later turn trimmed the turn away', async () => {
    const chat = await chatWithMessages('trimmed', ['a', 'b']);
    const inputId = chat.appended[0]?.inputId ?? '';
    await chat.startTurn(0);
    await chat.completeTurn(0);
    await chat.startTurn(1);
    // B in flight: A's turn is still the first retained one.
    expect(await locateAnswer(store, 'trimmed', await retryOf('trimmed', inputId))).toEqual({
      kind: 'turn',
      turnStartId: chat.turnStartIds[0],
    });

    await chat.completeTurn(1);
    expect(await locateAnswer(store, 'trimmed', await retryOf('trimmed', inputId))).toEqual({
      kind: 'checkpoint',
    });
  });
});
