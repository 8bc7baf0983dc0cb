import { ERROR_CODES } from '@baton/protocol';
import { createRedisClient } from '@baton/redis';
import { type RedisServer, startRedisServer } from '@baton/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preloadSession } from './preload-session.ts';
import { RedisSessionStore } from './redis-session-store.ts';
import { WriteFence } from './write-fence.ts';

// A preload starts a chat's run before its first message (Trigger.dev's `transport.preload`).
// It must never start a second run: not on a second preload, not when it races the first message,
// not on a chat that already ran.

let server: RedisServer;
let redis: Redis;
let store: RedisSessionStore;
let chatCount = 0;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisClient({ url: server.url });
  store = new RedisSessionStore({ redis, prefix: 'preload-test' });
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

async function newChat(clientData?: Record<string, unknown>): Promise<string> {
  chatCount += 1;
  const chatId = `preload-${chatCount}`;
  await store.createSession({ chatId, agentId: 'demo', ...(clientData ? { clientData } : {}) });
  return chatId;
}

describe('preloadSession', () => {
  it('queues a run for a chat that never ran, records it as the preloaded run, and marks custody', async () => {
    const chatId = await newChat();
    const result = await preloadSession(store, { chatId, clientData: { userId: 'ada' } });
    expect(result).toEqual({ isPreloaded: true, runSeqToEnqueue: 1, agentId: 'demo' });
    const record = await store.getSession(chatId);
    expect(record).toMatchObject({ status: 'queued', runSeq: 1, preloadRunSeq: 1, turns: 0 });
    // Stored because the session had none: what `onPreload` gets.
    expect(record?.clientData).toEqual({ userId: 'ada' });
    // A new chat's keys expire; a preloaded one lives on.
    expect(await redis.pttl(store.keys(chatId).session)).toBe(-1);
    const view = await store.custody.inspect(chatId);
    expect(view?.appendedMarkAt).toBeGreaterThan(0);
    // The preloaded run claims the chat as any run does.
    const claim = await store.claim({ chatId, runSeq: 1, workerId: 'w1', leaseDurationMs: 5_000 });
    expect(claim).toMatchObject({ epoch: 1, attempts: 0 });
  });

  it('keeps the client data a session was created with', async () => {
    const chatId = await newChat({ userId: 'first' });
    await preloadSession(store, { chatId, clientData: { userId: 'second' } });
    expect((await store.getSession(chatId))?.clientData).toEqual({ userId: 'first' });
  });

  it('starts no second run on a second preload, nor on the first message after it', async () => {
    const chatId = await newChat();
    const first = await preloadSession(store, { chatId });
    const second = await preloadSession(store, { chatId });
    expect(first.isPreloaded).toBe(true);
    expect(second).toEqual({ isPreloaded: false, agentId: 'demo', status: 'queued', turns: 0 });
    const appended = await store.appendInput(chatId, message('u1'), 'p1');
    expect(appended.runSeqToEnqueue).toBe(0);
    expect(await store.getSession(chatId)).toMatchObject({ runSeq: 1, preloadRunSeq: 1 });
  });

  it('does nothing for a chat whose first message came first', async () => {
    const chatId = await newChat();
    const appended = await store.appendInput(chatId, message('u1'), 'p1');
    expect(appended.runSeqToEnqueue).toBe(1);
    const result = await preloadSession(store, { chatId });
    expect(result).toEqual({ isPreloaded: false, agentId: 'demo', status: 'queued', turns: 0 });
    expect(await store.getSession(chatId)).toMatchObject({ runSeq: 1, preloadRunSeq: 0 });
  });

  it('starts exactly one run when preloads and the first message race', async () => {
    for (let round = 0; round < 20; round += 1) {
      const chatId = await newChat();
      const outcomes = await Promise.all([
        preloadSession(store, { chatId }),
        store.appendInput(chatId, message('u1'), 'p1'),
        preloadSession(store, { chatId }),
      ]);
      const [preloadA, appended, preloadB] = outcomes;
      const started = [
        preloadA.isPreloaded ? preloadA.runSeqToEnqueue : 0,
        appended.runSeqToEnqueue,
        preloadB.isPreloaded ? preloadB.runSeqToEnqueue : 0,
      ].filter((runSeq) => runSeq > 0);
      expect(started).toEqual([1]);
      expect((await store.getSession(chatId))?.runSeq).toBe(1);
    }
  });

  it('does nothing for a chat that has turns, or whose preloaded run suspended', async () => {
    const chatId = await newChat();
    await preloadSession(store, { chatId });
    const claim = await store.claim({ chatId, runSeq: 1, workerId: 'w1', leaseDurationMs: 5_000 });
    if (!('epoch' in claim)) throw new Error('claim failed');
    expect(await preloadSession(store, { chatId })).toMatchObject({ status: 'running' });
    // The preloaded run idled out before the first message.
    expect(await store.suspend(chatId, claim.epoch, '0-0')).toBe('suspended');
    expect(await preloadSession(store, { chatId })).toMatchObject({
      isPreloaded: false,
      status: 'suspended',
      turns: 0,
    });

    const other = await newChat();
    const appended = await store.appendInput(other, message('u1'), 'p1');
    const otherClaim = await store.claim({
      chatId: other,
      runSeq: 1,
      workerId: 'w1',
      leaseDurationMs: 5_000,
    });
    if (!('epoch' in otherClaim)) throw new Error('claim failed');
    const fence = new WriteFence(other, otherClaim.epoch);
    await store.startTurn(fence, {
      kind: 'turn-start',
      turn: 0,
      inputId: appended.inputId,
      epoch: fence.epoch,
      startedAt: 0,
    });
    await store.completeTurn(fence, {
      record: {
        kind: 'turn-complete',
        turn: 0,
        inputId: appended.inputId,
        status: 'complete',
        finishedAt: 0,
      },
      inputCursor: appended.inputId,
      turns: 1,
      totalUsage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
      keepCount: 0,
      messages: [],
    });
    expect(await store.suspend(other, otherClaim.epoch, appended.inputId)).toBe('suspended');
    expect(await preloadSession(store, { chatId: other })).toMatchObject({
      isPreloaded: false,
      status: 'suspended',
      turns: 1,
    });
  });

  it('refuses a chat without a session, and a closed chat, changing nothing', async () => {
    await expect(preloadSession(store, { chatId: 'no-such-chat' })).rejects.toMatchObject({
      code: ERROR_CODES.NOT_FOUND,
    });
    const chatId = await newChat();
    await store.close(chatId);
    await expect(preloadSession(store, { chatId })).rejects.toMatchObject({
      code: ERROR_CODES.SESSION_CLOSED,
    });
    expect(await store.getSession(chatId)).toMatchObject({ status: 'closed', runSeq: 0 });
  });
});
