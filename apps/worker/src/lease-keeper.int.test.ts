import { performance } from 'node:perf_hooks';
import { chatKeys, createRedisClient } from '@baton/redis';
import { SILENT_LOGGER } from '@baton/sdk';
import { RedisSessionStore } from '@baton/session-store';
import {
  type RedisServer,
  startRedisServer,
  startTcpProxy,
  type TcpProxy,
  waitUntil,
} from '@baton/testing';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LeaseKeeper } from './lease-keeper.ts';

// The lease keeper against a real Redis, reached through a proxy that the test partitions: the
// worker's connection has no command timeout here, so a renewal sent into the partition never
// settles, the case that used to keep a lease forever.

const LEASE_MS = 1_500;

let server: RedisServer;
let proxy: TcpProxy;
/** The worker's view of Redis, through the proxy. */
let proxied: Redis;
/** The test's own view, direct. */
let direct: Redis;
let store: RedisSessionStore;
let keeper: LeaseKeeper | undefined;

beforeAll(async () => {
  server = await startRedisServer();
  proxy = await startTcpProxy({ targetPort: server.port });
  proxied = createRedisClient({ url: proxy.url });
  proxied.on('error', () => {});
  direct = createRedisClient({ url: server.url });
  store = new RedisSessionStore({ redis: proxied });
});

afterEach(() => {
  keeper?.stop();
  proxy.heal();
});

afterAll(async () => {
  proxied?.disconnect();
  direct?.disconnect();
  await proxy?.close();
  await server?.stop();
});

async function claimedChat(chatId: string): Promise<{ epoch: number; claimedAt: number }> {
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
  const claimedAt = performance.now();
  const claim = await store.claim({ chatId, runSeq: 1, workerId: 'w1', leaseDurationMs: LEASE_MS });
  if (!('epoch' in claim)) throw new Error('claim failed');
  return { epoch: claim.epoch, claimedAt };
}

function startKeeper(): LeaseKeeper {
  keeper = new LeaseKeeper({
    store,
    workerId: 'w1',
    leaseDurationMs: LEASE_MS,
    logger: SILENT_LOGGER,
  });
  keeper.start();
  return keeper;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('LeaseKeeper', () => {
  it('keeps renewing a lease, and gives it up at its deadline while a renewal hangs', async () => {
    const { epoch, claimedAt } = await claimedChat('partitioned');
    const leases = startKeeper();
    const losses: { reason: string; at: number; redisTtlMs: Promise<number> }[] = [];
    leases.hold(
      'partitioned',
      epoch,
      (reason) => {
        // What Redis says of the lease at that moment: another worker could claim it at 0.
        losses.push({
          reason,
          at: performance.now(),
          redisTtlMs: direct.pttl(chatKeys('partitioned').lease),
        });
      },
      claimedAt,
    );

    await sleep(2 * LEASE_MS);
    expect(losses).toEqual([]);
    expect(await direct.pttl(chatKeys('partitioned').lease)).toBeGreaterThan(0);

    const partitionedAt = performance.now();
    proxy.blackhole();
    await waitUntil(() => losses.length > 0, {
      description: 'the partitioned lease is given up',
      timeoutMs: 5_000,
    });

    expect(losses.map((loss) => loss.reason)).toEqual(['lease deadline passed unrenewed']);
    const [loss] = losses;
    // The last renewal that got through was sent before the partition: the deadline falls within
    // one lease of it.
    expect(loss?.at).toBeGreaterThan(partitionedAt);
    expect(loss?.at).toBeLessThanOrEqual(partitionedAt + LEASE_MS);
    // Given up before it could run out in Redis: nobody can hold the chat yet.
    expect(await loss?.redisTtlMs).toBeGreaterThan(0);
    expect(leases.size).toBe(0);
  });

  it('loses a lease taken over by a newer epoch at the next renewal', async () => {
    const { epoch, claimedAt } = await claimedChat('taken-over');
    const leases = startKeeper();
    const reasons: string[] = [];
    leases.hold('taken-over', epoch, (reason) => reasons.push(reason), claimedAt);

    // What a newer claim does to the holder's epoch (claim-session.lua).
    await direct.hincrby(chatKeys('taken-over').session, 'epoch', 1);
    await waitUntil(() => reasons.length > 0, {
      description: 'the takeover is noticed',
      timeoutMs: 3_000,
    });

    expect(reasons).toEqual(['lease taken over']);
    expect(leases.size).toBe(0);
  });

  it('forgets a released lease', async () => {
    const { epoch, claimedAt } = await claimedChat('released');
    const leases = startKeeper();
    const reasons: string[] = [];
    leases.hold('released', epoch, (reason) => reasons.push(reason), claimedAt);
    leases.release('released');

    proxy.blackhole();
    await sleep(LEASE_MS + 100);
    expect(reasons).toEqual([]);
  });
});
