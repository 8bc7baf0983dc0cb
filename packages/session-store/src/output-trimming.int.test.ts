import { createRedisClient } from '@baton/redis';
import { type RedisServer, startRedisServer } from '@baton/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from './redis-session-store.ts';
import { WriteFence } from './write-fence.ts';

// Issue 9, finding 7: the output stream's safety bound trimmed by length (`MAXLEN ~`), so a long
// turn lost its own `turn-start` and its recovery started from scratch, running its tools again.
// The bound now trims only what comes before the turn in flight.

let server: RedisServer;
let redis: Redis;
let store: RedisSessionStore;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisClient({ url: server.url });
  store = new RedisSessionStore({ redis, outputMaxLength: 20 });
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const message = (id: string) => ({
  kind: 'message' as const,
  message: { id, role: 'user' as const, parts: [{ type: 'text', text: id }] },
  trigger: 'submit-message' as const,
  receivedAt: 0,
});

async function startTurn(fence: WriteFence, turn: number, inputId: string) {
  await store.startTurn(fence, {
    kind: 'turn-start',
    turn,
    inputId,
    epoch: fence.epoch,
    startedAt: 0,
  });
}

async function writeChunks(fence: WriteFence, count: number) {
  for (let index = 0; index < count; index += 10) {
    const batch = Array.from({ length: 10 }, (_, offset) =>
      JSON.stringify({ type: 'text-delta', id: 't', delta: `${index + offset} ` }),
    );
    await store.appendChunks(fence, batch);
  }
}

describe('the output stream bound', () => {
  it('never trims the turn in flight, and trims the turns before it', async () => {
    const chatId = 'long-turn';
    await store.createSession({ chatId, agentId: 'demo' });
    const first = await store.appendInput(chatId, message('u1'), 'p1');
    const claim = await store.claim({ chatId, runSeq: 1, workerId: 'w1', leaseDurationMs: 10_000 });
    if (!('epoch' in claim)) throw new Error('claim failed');
    const fence = new WriteFence(chatId, claim.epoch);

    await startTurn(fence, 0, first.inputId);
    await writeChunks(fence, 100);
    const inFlight = await store.getSession(chatId);
    const turn = await store.readInFlightTurn(chatId, inFlight?.activeTurnOutputId ?? '');
    expect(turn?.turnStart).toMatchObject({ kind: 'turn-start', turn: 0 });
    expect(turn?.chunkJsons).toHaveLength(100);

    await store.completeTurn(fence, {
      record: {
        kind: 'turn-complete',
        turn: 0,
        inputId: first.inputId,
        status: 'complete',
        finishedAt: 0,
      },
      inputCursor: first.inputId,
      turns: 1,
      totalUsage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
      keepCount: 0,
      messages: [],
    });
    const second = await store.appendInput(chatId, message('u2'), 'p2');
    await startTurn(fence, 1, second.inputId);
    await writeChunks(fence, 30);
    // The bound let the first turn go once the second one needed the room; the second is whole.
    const entries = await redis.xrange(store.keys(chatId).output, '-', '+');
    expect(entries).toHaveLength(31);
    expect(entries[0]?.[1][1]).toContain('"turn":1');
  });
});
