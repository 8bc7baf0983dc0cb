import { type RedisServer, startRedisServer } from '@baton/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient } from './client.ts';
import { chatKeys } from './keys.ts';
import { defineScripts, type ScriptRunner } from './scripts.ts';

let server: RedisServer;
let redis: Redis;
let scripts: ScriptRunner;
let chatCounter = 0;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisClient({ url: server.url });
  scripts = defineScripts(redis);
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

function newChat() {
  chatCounter += 1;
  const chatId = `chat-${chatCounter}`;
  return { chatId, keys: chatKeys(chatId) };
}

async function createSession(keys: ReturnType<typeof chatKeys>) {
  return scripts.run('createSession', [keys.session], ['demo', 1000, '', '[]']);
}

async function append(keys: ReturnType<typeof chatKeys>, partId: string, needsRun = true) {
  return scripts.run(
    'appendInput',
    [keys.session, keys.input, keys.part(partId), keys.output],
    ['{"kind":"message"}', 2000, needsRun ? '1' : '0', keys.inputWake, 60_000],
  );
}

describe('create-session.lua', () => {
  it('creates once and reports the stored agent on a second call', async () => {
    const { keys } = newChat();
    expect(await createSession(keys)).toEqual([0, 1, 'demo']);
    expect(await scripts.run('createSession', [keys.session], ['other', 1, '', '[]'])).toEqual([
      0,
      0,
      'demo',
    ]);
  });
});

describe('append-input.lua', () => {
  it('refuses a chat without a session', async () => {
    const { keys } = newChat();
    expect(await append(keys, 'p1')).toEqual([-1]);
    expect(await redis.exists(keys.input)).toBe(0);
  });

  it('queues a new session once and enqueues one run', async () => {
    const { keys } = newChat();
    await createSession(keys);
    const first = await append(keys, 'p1');
    expect(first[0]).toBe(0);
    expect(first[3]).toBe(1);
    expect(await redis.hget(keys.session, 'status')).toBe('queued');
    const second = await append(keys, 'p2');
    expect(second[3]).toBe(0);
    expect(await redis.xlen(keys.input)).toBe(2);
  });

  it('is idempotent on the part id', async () => {
    const { keys } = newChat();
    await createSession(keys);
    const first = await append(keys, 'same');
    const retry = await append(keys, 'same');
    expect(retry).toEqual([0, first[1], '0-0', 1, 1, 'demo']);
    expect(await redis.xlen(keys.input)).toBe(1);
  });

  it('drops a stop when nothing is pending or running', async () => {
    const { keys } = newChat();
    await createSession(keys);
    expect(await append(keys, 'stop-1', false)).toEqual([0, '', '0-0', 0, 0, 'demo']);
    expect(await redis.exists(keys.input)).toBe(0);
  });
});

describe('claim and fencing', () => {
  it('bumps the epoch, refuses a live lease and fences the old holder', async () => {
    const { keys } = newChat();
    await createSession(keys);
    await append(keys, 'p1');
    const claim = await scripts.run(
      'claimSession',
      [keys.session, keys.lease],
      [1, 'w1', 3000, 10_000],
    );
    expect(claim).toEqual([0, 1]);

    const busy = await scripts.run(
      'claimSession',
      [keys.session, keys.lease],
      [1, 'w2', 3000, 10_000],
    );
    expect(busy[0]).toBe(-5);
    expect(Number(busy[1])).toBeGreaterThan(0);

    await redis.del(keys.lease); // the first holder's lease expired
    expect(
      await scripts.run('claimSession', [keys.session, keys.lease], [1, 'w2', 3000, 10_000]),
    ).toEqual([0, 2]);

    const zombieWrite = await scripts.run(
      'appendOutput',
      [keys.session, keys.output],
      [1, keys.outputWake, 1000, 1, 'c', '{"type":"text-delta"}'],
    );
    expect(zombieWrite).toEqual([-2]);
    expect(await redis.exists(keys.output)).toBe(0);
    expect(await scripts.run('renewLease', [keys.session, keys.lease], [1, 'w1', 10_000])).toEqual([
      -2,
    ]);
    expect(await scripts.run('renewLease', [keys.session, keys.lease], [2, 'w2', 10_000])).toEqual([
      0,
    ]);
  });

  it('treats a job of a superseded run as stale', async () => {
    const { keys } = newChat();
    await createSession(keys);
    await append(keys, 'p1');
    expect(
      await scripts.run('claimSession', [keys.session, keys.lease], [0, 'w1', 1, 1000]),
    ).toEqual([-4]);
  });
});

describe('suspend-session.lua', () => {
  it('suspends only when no input waits past the read cursor', async () => {
    const { keys } = newChat();
    await createSession(keys);
    const [, inputId] = await append(keys, 'p1');
    const [, epoch] = await scripts.run(
      'claimSession',
      [keys.session, keys.lease],
      [1, 'w1', 1, 10_000],
    );

    expect(
      await scripts.run(
        'suspendSession',
        [keys.session, keys.input, keys.lease],
        [epoch!, '0-0', 5],
      ),
    ).toEqual([1]);
    expect(
      await scripts.run(
        'suspendSession',
        [keys.session, keys.input, keys.lease],
        [epoch!, inputId!, 5],
      ),
    ).toEqual([0]);
    expect(await redis.hmget(keys.session, 'status', 'inputCursor')).toEqual([
      'suspended',
      inputId,
    ]);
    expect(await redis.exists(keys.lease)).toBe(0);

    const next = await append(keys, 'p2');
    expect(next[3]).toBe(2);
  });
});

describe('complete-turn.lua', () => {
  it('replaces the changed tail of the checkpoint and trims the streams', async () => {
    const { keys } = newChat();
    await createSession(keys);
    const [, inputId] = await append(keys, 'p1');
    const [, epoch] = await scripts.run(
      'claimSession',
      [keys.session, keys.lease],
      [1, 'w1', 1, 10_000],
    );
    await redis.rpush(keys.messages, 'm0', 'm1', 'stale');
    const [, turnStartId] = await scripts.run(
      'startTurn',
      [keys.session, keys.output],
      [epoch!, keys.outputWake, 1000, '{"kind":"turn-start"}', 5, 1],
    );
    const reply = await scripts.run(
      'completeTurn',
      [keys.session, keys.output, keys.messages, keys.input],
      [
        epoch!,
        keys.outputWake,
        1000,
        '{"kind":"turn-complete"}',
        6,
        inputId!,
        1,
        '{}',
        2,
        2,
        'user',
        'assistant',
      ],
    );
    expect(reply[0]).toBe(0);
    expect(await redis.lrange(keys.messages, 0, -1)).toEqual(['m0', 'm1', 'user', 'assistant']);
    expect(await redis.hmget(keys.session, 'turns', 'activeTurn', 'inputCursor')).toEqual([
      '1',
      '',
      inputId,
    ]);
    const output = await redis.xrange(keys.output, '-', '+');
    expect(output.map(([id]) => id)).toEqual([turnStartId, reply[1]]);
  });
});

describe('write sequence', () => {
  it('applies a re-sent write once (a reply lost to a Redis restart)', async () => {
    const { keys } = newChat();
    await createSession(keys);
    await append(keys, 'p1');
    const [, epoch] = await scripts.run(
      'claimSession',
      [keys.session, keys.lease],
      [1, 'w1', 1, 10_000],
    );
    const write = (seq: number, delta: string) =>
      scripts.run(
        'appendOutput',
        [keys.session, keys.output],
        [epoch!, keys.outputWake, 1000, seq, 'c', delta],
      );
    expect((await write(1, 'a'))[0]).toBe(0);
    expect(await write(1, 'a')).toEqual([0, '']);
    expect((await write(2, 'b'))[0]).toBe(0);
    expect(await write(1, 'a')).toEqual([0, '']);
    const output = await redis.xrange(keys.output, '-', '+');
    expect(output.map(([, fields]) => fields[1])).toEqual(['a', 'b']);

    // A new holder starts its own sequence.
    await redis.del(keys.lease);
    const [, next] = await scripts.run(
      'claimSession',
      [keys.session, keys.lease],
      [1, 'w2', 2, 10_000],
    );
    expect(
      (
        await scripts.run(
          'appendOutput',
          [keys.session, keys.output],
          [next!, keys.outputWake, 1000, 1, 'c', 'c'],
        )
      )[1],
    ).not.toBe('');
  });
});
