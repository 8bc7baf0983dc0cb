import type { InputRecord } from '@baton/protocol';
import { createRedisClient } from '@baton/redis';
import { RedisSessionStore } from '@baton/session-store';
import { startRedisServer } from '@baton/testing';
import type { Redis } from 'ioredis';

// `node test/bench/src/replica-wait.ts`: what `BATON_REDIS_MIN_REPLICAS=1` adds to a message
// append (docs/operations/redis-persistence.md). A local primary and one replica; two session
// stores on two connections to the primary, one acknowledging at once, one after `WAIT 1`; their
// appends alternate, so drift of the machine weighs on both alike. Prints figures, asserts none.

const APPENDS = readPositiveInteger('BENCH_APPENDS', 500);
const CONCURRENCY = readPositiveInteger('BENCH_CONCURRENCY', 50);
const ROUNDS = 10;

const message: InputRecord = {
  kind: 'message',
  message: { id: 'm', role: 'user', parts: [{ type: 'text', text: 'How is the chat doing?' }] },
  trigger: 'submit-message',
  receivedAt: 0,
};

const primary = await startRedisServer({ isLocalProcess: true });
const replica = await startRedisServer({ replicaOfPort: primary.port });
const clients: Redis[] = [];
try {
  const admin = client();
  // A replica takes the command stream from its first acknowledgement (once a second).
  await admin.set('replica-probe', '1');
  if ((await admin.wait(1, 10_000)) !== 1) throw new Error('the replica never acknowledged');

  const plain = new RedisSessionStore({ redis: client() });
  const durable = new RedisSessionStore({ redis: client(), minReplicas: 1, replicaTimeoutMs: 500 });
  const stores = { plain, durable };

  // Sequential: one append at a time, each on a chat of its own (a new part id, a real append).
  const sequential = { plain: [] as number[], durable: [] as number[] };
  for (let index = 0; index < APPENDS + 20; index += 1) {
    for (const name of ['plain', 'durable'] as const) {
      const chatId = `${name}-${index}`;
      await stores[name].createSession({ chatId, agentId: 'bench' });
      const startedAt = performance.now();
      await stores[name].appendInput(chatId, message, 'part');
      // The first 20 warm up the connections and the script cache.
      if (index >= 20) sequential[name].push(performance.now() - startedAt);
    }
  }

  // Concurrent: many chats append at once; the durable store shares its WAITs among them.
  const concurrent = { plain: [] as number[], durable: [] as number[] };
  const waitsBefore = await waitCalls(admin);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const name of ['plain', 'durable'] as const) {
      const chatIds = Array.from({ length: CONCURRENCY }, (_, i) => `${name}-r${round}-${i}`);
      await Promise.all(
        chatIds.map((chatId) => stores[name].createSession({ chatId, agentId: 'bench' })),
      );
      const startedAt = performance.now();
      await Promise.all(chatIds.map((chatId) => stores[name].appendInput(chatId, message, 'p')));
      concurrent[name].push(performance.now() - startedAt);
    }
  }
  const waits = (await waitCalls(admin)) - waitsBefore;

  const [serverVersion] = /redis_version:(\S+)/.exec(await admin.info('server'))?.slice(1) ?? [];
  console.log(`Redis ${serverVersion}, one local replica; times in ms`);
  console.log(`\nOne append at a time (${APPENDS} each, alternating):`);
  console.log(row('', ['p50', 'p95', 'p99', 'mean']));
  for (const name of ['plain', 'durable'] as const) {
    console.log(row(label(name), summary(sequential[name])));
  }
  console.log(
    row(
      'added by WAIT',
      summary(sequential.durable).map(
        (value, index) => value - (summary(sequential.plain)[index] ?? 0),
      ),
    ),
  );
  console.log(`\n${CONCURRENCY} appends at once (${ROUNDS} rounds), time for the whole batch:`);
  console.log(row('', ['p50', 'p95', 'p99', 'mean']));
  for (const name of ['plain', 'durable'] as const) {
    console.log(row(label(name), summary(concurrent[name])));
  }
  console.log(`WAIT commands for ${ROUNDS * CONCURRENCY} concurrent durable appends: ${waits}`);
} finally {
  for (const redis of clients) redis.disconnect();
  await Promise.all([replica.stop(), primary.stop()]);
}

function client(): Redis {
  const redis = createRedisClient({ url: primary.url, commandTimeoutMs: 5_000 });
  clients.push(redis);
  return redis;
}

function label(name: 'plain' | 'durable'): string {
  return name === 'plain' ? 'minReplicas 0' : 'minReplicas 1';
}

function summary(samples: number[]): number[] {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (quantile: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? 0;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length);
  return [at(0.5), at(0.95), at(0.99), mean];
}

function row(name: string, values: (number | string)[]): string {
  const cells = values.map((value) =>
    (typeof value === 'number' ? value.toFixed(3) : value).padStart(9),
  );
  return `${name.padEnd(14)}${cells.join('')}`;
}

async function waitCalls(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(/cmdstat_wait:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

function readPositiveInteger(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new Error(`${name} must be a positive integer, got ${value}`);
  }
  return parsed;
}
