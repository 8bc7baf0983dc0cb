import type { InputRecord } from '@baton/protocol';
import { createRedisClient } from '@baton/redis';
import {
  type RedisServer,
  startRedisServer,
  startTcpProxy,
  type TcpProxy,
  waitUntil,
} from '@baton/testing';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisSessionStore } from './redis-session-store.ts';
import type { RedisSessionStoreOptions } from './redis-session-store-options.ts';
import { WriteFence } from './write-fence.ts';

// Issue 9, finding 6: Redis replicates asynchronously, so a write that the primary acknowledged
// can be missing from the replica that a failover promotes: an accepted message vanishes, and a
// claim's epoch bump goes back, which makes a fenced-off zombie's epoch valid again. With
// `minReplicas` the store acknowledges a claim, a turn completion, a message append and a close
// only once that many replicas hold it (Redis `WAIT`), and refuses them otherwise.
//
// The replica reaches its primary through a TCP proxy, the replication link. Freezing the replica
// (SIGSTOP) makes a write wait for it, but loses nothing: the kernel still takes in what the
// primary sends and the replica applies it once resumed, even after the primary died. A test that
// needs the loss stalls the link instead and drops it with the primary, as a replica that lagged
// at the moment of a failover loses what was still on its way.

const REPLICA_TIMEOUT_MS = 300;

type Deployment = {
  primary: RedisServer;
  link: TcpProxy;
  replica: RedisServer;
  clients: Redis[];
};

let deployment: Deployment | undefined;

afterEach(async () => {
  if (!deployment) return;
  const { primary, link, replica, clients } = deployment;
  deployment = undefined;
  for (const client of clients) client.disconnect();
  await Promise.all([primary.stop(), replica.stop(), link.close()]);
});

async function startDeployment(): Promise<Deployment> {
  const primary = await startRedisServer({ isLocalProcess: true });
  const link = await startTcpProxy({ targetPort: primary.port });
  const replica = await startRedisServer({ replicaOfPort: link.port });
  deployment = { primary, link, replica, clients: [] };
  await waitForReplica(client(primary.url));
  return deployment;
}

/**
 * Waits until the primary's replica acknowledges writes. After a full sync a replica takes the
 * command stream only from its first acknowledgement, which it sends on its once-a-second timer:
 * until then a `WAIT` finds no replica.
 */
async function waitForReplica(primary: Redis): Promise<void> {
  await primary.set('replica-probe', '1');
  expect(await primary.wait(1, 5_000)).toBe(1);
}

function client(url: string): Redis {
  const redis = createRedisClient({ url });
  // Connections break on purpose here (a killed primary, a reset proxy); ioredis reconnects.
  redis.on('error', () => {});
  deployment?.clients.push(redis);
  return redis;
}

/** Waits until the replica holds every write the store made so far (the test's setup). */
async function replicated(store: RedisSessionStore): Promise<void> {
  expect(await store.redis.wait(1, 5_000)).toBe(1);
}

function storeOn(url: string, options: Partial<RedisSessionStoreOptions> = {}) {
  return new RedisSessionStore({ redis: client(url), ...options });
}

/** A store that acknowledges only what one replica holds. */
function durableStoreOn(url: string) {
  return storeOn(url, { minReplicas: 1, replicaTimeoutMs: REPLICA_TIMEOUT_MS });
}

/**
 * The primary dies, its replication link with it (dropping whatever it still held back), and the
 * replica is promoted (`REPLICAOF NO ONE`, what Sentinel or an operator does). Resolves a store on
 * the new primary, as the processes see it once they reconnect.
 */
async function failOver(current: Deployment): Promise<RedisSessionStore> {
  await current.primary.kill();
  await current.link.close();
  const replica = client(current.replica.url);
  await replica.replicaof('NO', 'ONE');
  return storeOn(current.replica.url);
}

const message = (text: string): InputRecord => ({
  kind: 'message',
  message: { id: text, role: 'user', parts: [{ type: 'text', text }] },
  trigger: 'submit-message',
  receivedAt: 0,
});

/** A chat with one message waiting: queued for run 1. */
async function queuedChat(store: RedisSessionStore, chatId: string): Promise<void> {
  await store.createSession({ chatId, agentId: 'demo' });
  await store.appendInput(chatId, message('first'), 'part-first');
}

async function claimEpoch(store: RedisSessionStore, chatId: string, workerId: string) {
  const claim = await store.claim({ chatId, runSeq: 1, workerId, leaseDurationMs: 100 });
  if (!('epoch' in claim)) throw new Error(`${workerId} found the lease busy`);
  return claim.epoch;
}

async function inputTexts(store: RedisSessionStore, chatId: string): Promise<string[]> {
  const entries = await store.readInput(chatId, '0-0');
  return entries.map((entry) => (entry.record.kind === 'message' ? entry.record.message.id : ''));
}

/** Until the first holder's 100 ms lease expired on the primary, so that another may claim. */
async function leaseExpired(store: RedisSessionStore, chatId: string): Promise<void> {
  const lease = store.keys(chatId).lease;
  await waitUntil(async () => (await store.redis.exists(lease)) === 0, {
    description: `the lease of ${chatId} expires`,
    intervalMs: 10,
  });
}
const chunk = JSON.stringify({ type: 'text-delta', id: 't', delta: 'zombie' });

describe('with minReplicas 1', () => {
  it('refuses an append while the replica is frozen, and acknowledges its retry once it is back', async () => {
    const { primary, replica } = await startDeployment();
    const store = durableStoreOn(primary.url);
    await store.createSession({ chatId: 'frozen', agentId: 'demo' });

    replica.pause();
    const startedAt = performance.now();
    await expect(store.appendInput('frozen', message('hello'), 'part-1')).rejects.toMatchObject({
      code: 'REPLICATION_TIMEOUT',
      isRetryable: true,
    });
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(REPLICA_TIMEOUT_MS - 10);

    replica.resume();
    // The client's retry (same part id) is the same append, acknowledged now: one message.
    const retry = await store.appendInput('frozen', message('hello'), 'part-1');
    expect(retry.isDuplicate).toBe(true);
    expect(await inputTexts(store, 'frozen')).toEqual(['hello']);
  });

  it('keeps an acknowledged append through the promotion of the replica', async () => {
    const current = await startDeployment();
    const store = durableStoreOn(current.primary.url);
    await store.createSession({ chatId: 'kept', agentId: 'demo' });
    await store.appendInput('kept', message('hello'), 'part-1');

    const promoted = await failOver(current);
    expect(await inputTexts(promoted, 'kept')).toEqual(['hello']);
  });

  it('refuses an append that the lagging replica did not get: only an unacknowledged one is lost', async () => {
    const current = await startDeployment();
    const store = durableStoreOn(current.primary.url);
    await store.createSession({ chatId: 'lagging', agentId: 'demo' });
    await replicated(store);

    current.link.blackhole();
    await expect(store.appendInput('lagging', message('hello'), 'part-1')).rejects.toMatchObject({
      code: 'REPLICATION_TIMEOUT',
    });

    const promoted = await failOver(current);
    expect(await inputTexts(promoted, 'lagging')).toEqual([]);
    // The client, told to retry, sends it again: it lands on the new primary, once.
    await promoted.appendInput('lagging', message('hello'), 'part-1');
    expect(await inputTexts(promoted, 'lagging')).toEqual(['hello']);
  });

  it('keeps a fenced-off zombie fenced after a promotion', async () => {
    const current = await startDeployment();
    const store = durableStoreOn(current.primary.url);
    await queuedChat(store, 'zombie');
    const zombieEpoch = await claimEpoch(store, 'zombie', 'worker-a');
    await leaseExpired(store, 'zombie'); // worker-a froze; its lease ran out
    const takeoverEpoch = await claimEpoch(store, 'zombie', 'worker-b');
    expect(takeoverEpoch).toBe(zombieEpoch + 1);

    const promoted = await failOver(current);
    await expect(
      promoted.appendChunks(new WriteFence('zombie', zombieEpoch), [chunk]),
    ).rejects.toMatchObject({ code: 'LEASE_LOST' });
    await promoted.appendChunks(new WriteFence('zombie', takeoverEpoch), [chunk]);
  });

  it('refuses a claim that the lagging replica did not get, with the epoch to hand back', async () => {
    const current = await startDeployment();
    const store = durableStoreOn(current.primary.url);
    await queuedChat(store, 'takeover');
    const zombieEpoch = await claimEpoch(store, 'takeover', 'worker-a');
    await replicated(store);
    await leaseExpired(store, 'takeover');

    current.link.blackhole();
    const claim = store.claim({
      chatId: 'takeover',
      runSeq: 1,
      workerId: 'worker-b',
      leaseDurationMs: 100,
    });
    // The new holder does not start: it hands the chat back under the epoch the primary gave it.
    await expect(claim).rejects.toMatchObject({
      code: 'REPLICATION_TIMEOUT',
      claimedEpoch: zombieEpoch + 1,
    });
  });

  it('refuses a turn completion while the replica is frozen', async () => {
    const { primary, replica } = await startDeployment();
    const store = durableStoreOn(primary.url);
    await queuedChat(store, 'turn');
    const epoch = await claimEpoch(store, 'turn', 'worker-a');
    const fence = new WriteFence('turn', epoch);
    const [input] = await store.readInput('turn', '0-0');
    if (!input) throw new Error('no input');
    await store.startTurn(fence, {
      kind: 'turn-start',
      turn: 0,
      inputId: input.id,
      epoch,
      startedAt: 0,
    });

    replica.pause();
    const completion = store.completeTurn(fence, {
      record: {
        kind: 'turn-complete',
        turn: 0,
        inputId: input.id,
        status: 'complete',
        finishedAt: 0,
      },
      inputCursor: input.id,
      turns: 1,
      totalUsage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
      keepCount: 0,
      messages: [],
    });
    await expect(completion).rejects.toMatchObject({ code: 'REPLICATION_TIMEOUT' });
    replica.resume();
  });

  it('refuses a session, and its ensure from another connection, while the replica is frozen', async () => {
    const { primary, replica } = await startDeployment();
    const store = durableStoreOn(primary.url);
    const otherGateway = durableStoreOn(primary.url);
    await otherGateway.getSession('anything');
    await replicated(otherGateway);

    replica.pause();
    const session = { chatId: 'created', agentId: 'demo' };
    await expect(store.createSession(session)).rejects.toMatchObject({
      code: 'REPLICATION_TIMEOUT',
    });
    await expect(otherGateway.createSession(session)).rejects.toMatchObject({
      code: 'REPLICATION_TIMEOUT',
    });

    replica.resume();
    expect(await otherGateway.createSession(session)).toEqual({
      isNew: false,
      agentId: 'demo',
      isClosed: false,
    });
  });

  it('refuses a close, and its retry from another connection, while the replica is frozen', async () => {
    const { primary, replica } = await startDeployment();
    const store = durableStoreOn(primary.url);
    const otherGateway = durableStoreOn(primary.url);
    await store.createSession({ chatId: 'closing', agentId: 'demo' });
    await otherGateway.getSession('closing');
    // The replica has acknowledged all that each connection knows of: only new writes lag.
    await Promise.all([replicated(store), replicated(otherGateway)]);

    replica.pause();
    await expect(store.close('closing')).rejects.toMatchObject({ code: 'REPLICATION_TIMEOUT' });
    // `WAIT` covers only the writes of its own connection: a retry through another gateway finds
    // the chat closed already, and must still not acknowledge a close that no replica holds.
    await expect(otherGateway.close('closing')).rejects.toMatchObject({
      code: 'REPLICATION_TIMEOUT',
    });

    replica.resume();
    expect(await otherGateway.close('closing')).toBe(false);
  });

  it('does not take a WAIT that ioredis re-sent to the promoted replica for an acknowledgement', async () => {
    const current = await startDeployment();
    // The replica that will be promoted has a replica of its own, which follows it through the
    // promotion: there a `WAIT` finds one replica in sync, though none holds the append.
    const second = await startRedisServer({ replicaOfPort: current.replica.port });
    try {
      const replicaOfReplica = client(second.url);
      await waitUntil(
        async () => (await replicaOfReplica.info('replication')).includes('master_link_status:up'),
        { description: 'the second replica is in sync' },
      );
      const store = storeOn(current.primary.url, { minReplicas: 1, replicaTimeoutMs: 3_000 });
      await store.createSession({ chatId: 'resent', agentId: 'demo' });
      await replicated(store);
      const primary = client(current.primary.url);

      current.link.blackhole();
      const outcome = store.appendInput('resent', message('hello'), 'part-1').then(
        () => 'acknowledged',
        (error: { code?: string }) => error.code,
      );
      await waitUntil(async () => String(await primary.client('LIST')).includes('cmd=wait'), {
        description: 'the WAIT blocks',
      });
      // The failover as the store's client sees it: its address now leads to the promoted replica
      // (DNS, a virtual IP, Sentinel), and ioredis re-sends the unanswered WAIT there.
      store.redis.options.port = current.replica.port;
      const promoted = await failOver(current);
      expect(await outcome).toBe('REPLICATION_TIMEOUT');
      expect(await inputTexts(promoted, 'resent')).toEqual([]);
    } finally {
      await second.stop();
    }
  });

  it('sends one WAIT for many acknowledgements that are due together', async () => {
    const { primary } = await startDeployment();
    const store = durableStoreOn(primary.url);
    const chatIds = Array.from({ length: 20 }, (_, index) => `many-${index}`);
    await Promise.all(chatIds.map((chatId) => store.createSession({ chatId, agentId: 'demo' })));
    const before = await waitCalls(client(primary.url));

    await Promise.all(chatIds.map((chatId) => store.appendInput(chatId, message('hi'), 'part-1')));

    const waits = (await waitCalls(client(primary.url))) - before;
    expect(waits).toBeGreaterThan(0);
    expect(waits).toBeLessThan(chatIds.length);
  });
});

async function waitCalls(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(/cmdstat_wait:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

describe('a repeated acknowledgement', () => {
  // `WAIT` covers the writes of its own connection, and the first of two identical requests may
  // have come through another one (a gateway that answered 503, then the client's retry through
  // another). A repeat that wrote nothing would be confirmed against an older offset.
  it('writes for a repeated close', async () => {
    const server = await startRedisServer();
    const redis = createRedisClient({ url: server.url });
    try {
      const store = new RedisSessionStore({ redis });
      await store.createSession({ chatId: 'again', agentId: 'demo' });
      await store.close('again');
      const before = await changeCount(redis);
      expect(await store.close('again')).toBe(false);
      expect(await changeCount(redis)).toBeGreaterThan(before);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });

  it('writes for a duplicate message append', async () => {
    const server = await startRedisServer();
    const redis = createRedisClient({ url: server.url });
    try {
      const store = new RedisSessionStore({ redis });
      await store.createSession({ chatId: 'twice', agentId: 'demo' });
      await store.appendInput('twice', message('hello'), 'part-1');
      const before = await changeCount(redis);
      expect((await store.appendInput('twice', message('hello'), 'part-1')).isDuplicate).toBe(true);
      expect(await changeCount(redis)).toBeGreaterThan(before);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});

/** The server's count of changes: a command that changed it is propagated to replicas. */
async function changeCount(redis: Redis): Promise<number> {
  const info = await redis.info('persistence');
  return Number(/rdb_changes_since_last_save:(\d+)/.exec(info)?.[1]);
}

describe('without minReplicas (what the setting prevents)', () => {
  it('loses an acknowledged append when the promoted replica lagged', async () => {
    const current = await startDeployment();
    const store = storeOn(current.primary.url);
    await store.createSession({ chatId: 'lost', agentId: 'demo' });
    await replicated(store);

    current.link.blackhole();
    const appended = await store.appendInput('lost', message('hello'), 'part-1');
    expect(appended.inputId).not.toBe('');

    const promoted = await failOver(current);
    expect(await inputTexts(promoted, 'lost')).toEqual([]);
  });

  it('lets a fenced-off zombie write again when the promoted replica lagged', async () => {
    const current = await startDeployment();
    const store = storeOn(current.primary.url);
    await queuedChat(store, 'revived');
    const zombieEpoch = await claimEpoch(store, 'revived', 'worker-a');
    await replicated(store);
    await leaseExpired(store, 'revived');

    current.link.blackhole();
    await claimEpoch(store, 'revived', 'worker-b');
    await expect(
      store.appendChunks(new WriteFence('revived', zombieEpoch), [chunk]),
    ).rejects.toMatchObject({ code: 'LEASE_LOST' });

    const promoted = await failOver(current);
    await promoted.appendChunks(new WriteFence('revived', zombieEpoch), [chunk]);
  });
});
