import { randomUUID } from 'node:crypto';
import type { WorkerRegistration } from '@baton/protocol';
import { createRedisClient, globalKeys } from '@baton/redis';
import { type RedisServer, startRedisServer } from '@baton/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerRegistry } from './worker-registry.ts';

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisClient({ url: server.url });
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const TTL_MS = 10_000;

/** A registry on a key prefix of its own, with a clock the test moves. */
function registryAt(startMs: number) {
  const prefix = `test-${randomUUID()}`;
  const clock = { nowMs: startMs };
  const registry = new WorkerRegistry({ redis, prefix, clock: () => clock.nowMs });
  return { registry, clock, keys: globalKeys(prefix) };
}

const registration = (workerId: string, agentIds: string[]): WorkerRegistration => ({
  workerId,
  agents: agentIds.map((id) => ({ id, version: '1' })),
  startedAt: 1,
});

describe('WorkerRegistry', () => {
  it('lists what live workers registered, and forgets one that unregisters', async () => {
    const { registry } = registryAt(Date.now());
    await registry.register(registration('w1', ['demo']), TTL_MS);
    await registry.register(registration('w2', ['demo', 'echo']), TTL_MS);
    const live = await registry.listLive();
    expect(live.map((entry) => entry.workerId).sort()).toEqual(['w1', 'w2']);
    expect(live.find((entry) => entry.workerId === 'w2')).toEqual(
      registration('w2', ['demo', 'echo']),
    );

    await registry.unregister('w1');
    expect((await registry.listLive()).map((entry) => entry.workerId)).toEqual(['w2']);
  });

  it('drops a worker that stopped refreshing once its registration ran out', async () => {
    const { registry, clock, keys } = registryAt(Date.now());
    await registry.register(registration('gone', ['demo']), TTL_MS);
    clock.nowMs += TTL_MS / 2;
    await registry.register(registration('alive', ['demo']), TTL_MS);
    clock.nowMs += TTL_MS / 2 + 1;
    expect((await registry.listLive()).map((entry) => entry.workerId)).toEqual(['alive']);

    // The next registration also removes the dead worker from the index.
    await registry.register(registration('alive', ['demo']), TTL_MS);
    expect(await redis.zrange(keys.workers, '0', '-1')).toEqual(['alive']);
  });

  it('leaves out a registration it cannot read', async () => {
    const { registry, keys } = registryAt(Date.now());
    await registry.register(registration('good', ['demo']), TTL_MS);
    await registry.register(registration('bad', ['demo']), TTL_MS);
    await redis.set(keys.worker('bad'), '{not json');
    await registry.register(registration('odd', ['demo']), TTL_MS);
    await redis.set(keys.worker('odd'), JSON.stringify({ workerId: 'odd', agents: 'demo' }));
    expect((await registry.listLive()).map((entry) => entry.workerId)).toEqual(['good']);
  });
});
