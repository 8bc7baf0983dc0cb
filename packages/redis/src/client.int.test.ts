import { type RedisServer, startRedisServer, startTcpProxy, type TcpProxy } from '@baton/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient } from './client.ts';

let server: RedisServer;
let proxy: TcpProxy;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  proxy = await startTcpProxy({ targetPort: server.port });
});

afterAll(async () => {
  redis?.disconnect();
  await proxy?.close();
  await server?.stop();
});

describe('createRedisClient with commandTimeoutMs', () => {
  it('fails a command on a stalled connection in time and connects anew', async () => {
    redis = createRedisClient({ url: proxy.url, commandTimeoutMs: 300 });
    redis.on('error', () => {});
    await redis.ping();
    const closed = new Promise((resolve) => redis.once('close', resolve));

    proxy.blackhole();
    const startedAt = Date.now();
    await expect(redis.get('anything')).rejects.toThrow('Command timed out');
    // 300 ms, with room for a loaded machine: without the timeout it would hang for minutes.
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    // The stalled socket is dropped, not kept: on a connection whose peer is gone (no FIN, no RST)
    // every later command would time out too, until TCP gives up on it.
    await closed;

    proxy.heal();
    expect(await redis.ping()).toBe('PONG');
  });
});
