import { ERROR_CODES } from '@baton/protocol';
import { createRedisClient } from '@baton/redis';
import { RedisSessionStore, WriteFence } from '@baton/session-store';
import { type RedisServer, startRedisServer } from '@baton/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputBatcher } from './output-batcher.ts';

let server: RedisServer;
let redis: Redis;
let store: RedisSessionStore;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisClient({ url: server.url });
  store = new RedisSessionStore({ redis });
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

async function claimedChat(chatId: string): Promise<number> {
  await store.createSession({ chatId, agentId: 'demo' });
  await store.appendInput(
    chatId,
    {
      kind: 'message',
      message: { id: 'u1', role: 'user', parts: [] },
      trigger: 'submit-message',
      receivedAt: 1,
    },
    'p1',
  );
  const claim = await store.claim({ chatId, runSeq: 1, workerId: 'w1', leaseDurationMs: 10_000 });
  if (!('epoch' in claim)) throw new Error('claim failed');
  return claim.epoch;
}

describe('OutputBatcher', () => {
  it('writes a burst of chunks in a few round trips, in order', async () => {
    const epoch = await claimedChat('burst');
    const batcher = new OutputBatcher({
      store,
      fence: new WriteFence('burst', epoch),
      onError: () => {},
    });
    for (let index = 0; index < 600; index += 1) {
      batcher.write({ type: 'text-delta', id: 't', delta: String(index) });
    }
    await batcher.flush();

    const entries = await store.readOutput('burst', '0-0', 1000);
    expect(
      entries.map((entry) => (entry.type === 'chunk' ? JSON.parse(entry.json).delta : '')),
    ).toEqual(Array.from({ length: 600 }, (_, index) => String(index)));
    // 600 chunks in batches of at most 256: three round trips, not 600.
    expect(batcher.stats).toEqual({ writes: 3, chunks: 600 });
  });

  it('writes nothing once the lease epoch is superseded, and reports it', async () => {
    const epoch = await claimedChat('fenced');
    await redis.hincrby(store.keys('fenced').session, 'epoch', 1);
    const errors: unknown[] = [];
    const batcher = new OutputBatcher({
      store,
      fence: new WriteFence('fenced', epoch),
      onError: (error) => errors.push(error),
    });
    batcher.write({ type: 'text-delta', id: 't', delta: 'zombie' });
    await expect(batcher.flush()).rejects.toMatchObject({ code: ERROR_CODES.LEASE_LOST });
    expect(errors).toHaveLength(1);
    expect(await redis.exists(store.keys('fenced').output)).toBe(0);
    batcher.write({ type: 'text-delta', id: 't', delta: 'ignored' });
    await expect(batcher.flush()).rejects.toMatchObject({ code: ERROR_CODES.LEASE_LOST });
  });
});
