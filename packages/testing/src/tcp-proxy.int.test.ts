import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from './redis-server.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

let server: RedisServer;
let proxy: TcpProxy;
const clients: Redis[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await proxy?.close();
});

afterAll(async () => {
  await server?.stop();
});

function client(url: string, options: { commandTimeout?: number } = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, ...options });
  // Timed-out handshakes and resets are what these tests provoke; commands still report them.
  redis.on('error', () => {});
  clients.push(redis);
  return redis;
}

describe('startTcpProxy', () => {
  it('forwards a connection to its target', async () => {
    proxy = await startTcpProxy({ targetPort: server.port });
    const redis = client(proxy.url);
    await redis.set('proxied', 'yes');
    expect(await redis.get('proxied')).toBe('yes');
    expect(proxy.connectionCount).toBe(1);
  });

  it('stalls every byte while blackholed, then delivers them in order once healed', async () => {
    proxy = await startTcpProxy({ targetPort: server.port });
    const redis = client(proxy.url);
    await redis.ping();

    proxy.blackhole();
    const stalled = redis.incr('stalled-counter');
    const timedOut = client(proxy.url, { commandTimeout: 300 });
    await expect(timedOut.ping()).rejects.toThrow('Command timed out');
    const settledEarly = await Promise.race([
      stalled.then(() => true),
      new Promise((resolve) => setTimeout(() => resolve(false), 300)),
    ]);
    expect(settledEarly).toBe(false);
    // The partition held the command back: the server never saw it.
    const direct = client(server.url);
    expect(await direct.get('stalled-counter')).toBeNull();

    proxy.heal();
    expect(await stalled).toBe(1);
    expect(await redis.incr('stalled-counter')).toBe(2);
    expect(await timedOut.ping()).toBe('PONG');
  });

  it('drops live connections with resetConnections; the client reconnects', async () => {
    proxy = await startTcpProxy({ targetPort: server.port });
    const redis = client(proxy.url);
    await redis.ping();
    const closed = new Promise((resolve) => redis.once('close', resolve));

    proxy.resetConnections();
    await closed;
    expect(proxy.connectionCount).toBe(0);
    expect(await redis.ping()).toBe('PONG');
  });
});
