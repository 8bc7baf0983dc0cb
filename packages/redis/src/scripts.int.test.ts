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
  return scripts.run('createSession', [keys.session], ['demo', 1000, '', '[]', 0]);
}

async function append(keys: ReturnType<typeof chatKeys>, partId: string, needsRun = true) {
  return scripts.run(
    'appendInput',
    [keys.session, keys.input, keys.part(partId), keys.output, keys.messages],
    [
      '{"kind":"message"}',
      2000,
      needsRun ? '1' : '0',
      keys.inputWake,
      60_000,
      needsRun ? 2000 : '',
    ],
  );
}

/** claim-session.lua for `worker` at `now` with a 10 s lease. */
async function claim(
  keys: ReturnType<typeof chatKeys>,
  options: { runSeq?: number; worker?: string; now?: number } = {},
) {
  return scripts.run(
    'claimSession',
    [keys.session, keys.lease, keys.input],
    [options.runSeq ?? 1, options.worker ?? 'w1', options.now ?? 1, 10_000],
  );
}

describe('create-session.lua', () => {
  it('creates once and reports the stored agent on a second call', async () => {
    const { keys } = newChat();
    expect(await createSession(keys)).toEqual([0, 1, 'demo', 'new']);
    expect(await scripts.run('createSession', [keys.session], ['other', 1, '', '[]', 0])).toEqual([
      0,
      0,
      'demo',
      'new',
    ]);
  });

  it('reports the status of a session that exists: a closed chat says so', async () => {
    const { keys } = newChat();
    await createSession(keys);
    await redis.hset(keys.session, 'status', 'closed');
    expect(await createSession(keys)).toEqual([0, 0, 'demo', 'closed']);
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
    const first = await claim(keys, { now: 3000 });
    expect(first).toEqual([0, 1, 1]);

    const busy = await claim(keys, { worker: 'w2', now: 3000 });
    expect(busy[0]).toBe(-5);
    expect(Number(busy[1])).toBeGreaterThan(0);

    await redis.del(keys.lease); // the first holder's lease expired
    expect(await claim(keys, { worker: 'w2', now: 3000 })).toEqual([0, 2, 2]);

    const zombieWrite = await scripts.run(
      'appendOutput',
      [keys.session, keys.output],
      [1, keys.outputWake, 1000, 1, 'c', '{"type":"text-delta"}'],
    );
    expect(zombieWrite).toEqual([-2]);
    expect(await redis.exists(keys.output)).toBe(0);
    expect(
      await scripts.run('renewLease', [keys.session, keys.lease], [1, 'w1', 10_000, 1]),
    ).toEqual([-2]);
    expect(
      await scripts.run('renewLease', [keys.session, keys.lease], [2, 'w2', 10_000, 1]),
    ).toEqual([0]);
  });

  it('treats a job of a superseded run as stale', async () => {
    const { keys } = newChat();
    await createSession(keys);
    await append(keys, 'p1');
    expect(
      await scripts.run('claimSession', [keys.session, keys.lease, keys.input], [0, 'w1', 1, 1000]),
    ).toEqual([-4]);
  });
});

describe('suspend-session.lua', () => {
  it('suspends only when no input waits past the read cursor', async () => {
    const { keys } = newChat();
    await createSession(keys);
    const [, inputId] = await append(keys, 'p1');
    const [, epoch] = await claim(keys);

    expect(
      await scripts.run(
        'suspendSession',
        [keys.session, keys.input, keys.lease, keys.output, keys.messages],
        [epoch!, '0-0', 5, 60_000],
      ),
    ).toEqual([1]);
    expect(
      await scripts.run(
        'suspendSession',
        [keys.session, keys.input, keys.lease, keys.output, keys.messages],
        [epoch!, inputId!, 5, 60_000],
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
    const [, epoch] = await claim(keys);
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
        '{"kind":"turn-complete"}',
        6,
        inputId!,
        1,
        '{}',
        2,
        2,
        '{"locals":{"l":{"n":1}},"injections":[]}',
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
    expect(await redis.hget(keys.session, 'agentState')).toBe(
      '{"locals":{"l":{"n":1}},"injections":[]}',
    );
    const output = await redis.xrange(keys.output, '-', '+');
    expect(output.map(([id]) => id)).toEqual([turnStartId, reply[1]]);
  });
});

describe('save-checkpoint.lua', () => {
  it('replaces the tail and the agent state between turns, fenced and once per write', async () => {
    const { keys } = newChat();
    await createSession(keys);
    await append(keys, 'p1');
    const [, epoch] = await claim(keys);
    await redis.rpush(keys.messages, 'm0', 'm1', 'm2');
    const save = (fence: string | number, writeSeq: number, state: string, ...tail: string[]) =>
      scripts.run(
        'saveCheckpoint',
        [keys.session, keys.messages],
        [fence, 7, writeSeq, 1, state, ...tail],
      );
    expect(await save(epoch!, 1, '{"locals":{}}', 'edited')).toEqual([0]);
    expect(await redis.lrange(keys.messages, 0, -1)).toEqual(['m0', 'edited']);
    expect(await redis.hget(keys.session, 'agentState')).toBe('{"locals":{}}');
    // A re-sent write is applied once; '' keeps the stored state.
    expect(await save(epoch!, 1, '', 'again')).toEqual([0]);
    expect(await save(epoch!, 2, '', 'kept-state')).toEqual([0]);
    expect(await redis.lrange(keys.messages, 0, -1)).toEqual(['m0', 'kept-state']);
    expect(await redis.hget(keys.session, 'agentState')).toBe('{"locals":{}}');
    // A holder fenced off by a newer epoch writes nothing.
    expect((await save(Number(epoch) - 1, 3, '{"x":1}', 'zombie'))[0]).toBe(-2);
    expect(await redis.lrange(keys.messages, 0, -1)).toEqual(['m0', 'kept-state']);
  });
});

describe('write sequence', () => {
  it('applies a re-sent write once (a reply lost to a Redis restart)', async () => {
    const { keys } = newChat();
    await createSession(keys);
    await append(keys, 'p1');
    const [, epoch] = await claim(keys);
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
    const [, next] = await claim(keys, { worker: 'w2', now: 2 });
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

describe('attempts of the pending work', () => {
  type Keys = ReturnType<typeof chatKeys>;
  const startTurn = (keys: Keys, epoch: string | number, writeSeq: number) =>
    scripts.run(
      'startTurn',
      [keys.session, keys.output],
      [epoch, keys.outputWake, 1000, '{"kind":"turn-start"}', 5, writeSeq],
    );
  const completeTurn = (keys: Keys, epoch: string | number, inputId: string, writeSeq: number) =>
    scripts.run(
      'completeTurn',
      [keys.session, keys.output, keys.messages, keys.input],
      [epoch, keys.outputWake, '{"kind":"turn-complete"}', 6, inputId, 1, '{}', 0, writeSeq, ''],
    );

  it('counts every claim of unfinished work, from before the turn starts, until a turn completes', async () => {
    const { keys } = newChat();
    await createSession(keys);
    const [, inputId] = await append(keys, 'p1');
    expect((await claim(keys, { runSeq: 1, worker: 'w1' }))[2]).toBe(1);
    // The first run fails before its turn starts; the next claim knows it was the second.
    await redis.del(keys.lease);
    const [, epoch, attempts] = await claim(keys, { runSeq: 1, worker: 'w2' });
    expect(attempts).toBe(2);
    await startTurn(keys, epoch!, 1);
    await completeTurn(keys, epoch!, String(inputId), 2);
    expect(await redis.hget(keys.session, 'attempts')).toBe('0');
  });

  it('counts the warm run that started a turn as its first attempt', async () => {
    const { keys } = newChat();
    await createSession(keys);
    const [, inputId] = await append(keys, 'p1');
    const [, epoch] = await claim(keys, { runSeq: 1, worker: 'w1' });
    await completeTurn(keys, epoch!, String(inputId), 1);
    // A message read during the warm wait: its turn starts without a claim, then the run dies.
    await append(keys, 'p2');
    await startTurn(keys, epoch!, 2);
    await redis.del(keys.lease);
    expect((await claim(keys, { runSeq: 1, worker: 'w2' }))[2]).toBe(2);
  });

  it('does not count a claim with nothing pending', async () => {
    const { keys } = newChat();
    await createSession(keys);
    const [, inputId] = await append(keys, 'p1');
    const [, epoch] = await claim(keys, { runSeq: 1, worker: 'w1' });
    await completeTurn(keys, epoch!, String(inputId), 1);
    await redis.del(keys.lease);
    expect((await claim(keys, { runSeq: 1, worker: 'w2' }))[2]).toBe(0);
  });
});

describe('requeue-session.lua', () => {
  const requeue = (keys: ReturnType<typeof chatKeys>, seen: string, runSeq: number, now: number) =>
    scripts.run('requeueSession', [keys.session, keys.lease], [seen, runSeq, now, 5_000]);

  it('requeues a queued chat under a new run sequence and epoch, only as it was seen', async () => {
    const { keys } = newChat();
    await createSession(keys);
    await append(keys, 'p1');
    expect(await requeue(keys, 'queued', 2, 10_000)).toEqual([1]);
    expect(await requeue(keys, 'running', 1, 10_000)).toEqual([1]);
    expect(await requeue(keys, 'queued', 1, 10_000)).toEqual([0, 2]);
    expect(await redis.hmget(keys.session, 'status', 'runSeq', 'epoch')).toEqual([
      'queued',
      '2',
      '1',
    ]);
  });

  it('requeues a running chat only once its lease has been gone for the grace', async () => {
    const { keys } = newChat();
    await createSession(keys);
    await append(keys, 'p1');
    const [, epoch] = await claim(keys, { now: 1_000 });
    // The lease is live: never taken.
    expect(await requeue(keys, 'running', 1, 100_000)).toEqual([1]);
    await redis.del(keys.lease);
    // leaseExpiresAt is 11_000: gone, but not for 5 s yet.
    expect(await requeue(keys, 'running', 1, 12_000)).toEqual([1]);
    expect(await requeue(keys, 'running', 1, 16_000)).toEqual([0, 2]);
    // The old holder is fenced off at once, before any new claim.
    const zombieWrite = await scripts.run(
      'appendOutput',
      [keys.session, keys.output],
      [epoch!, keys.outputWake, 1000, 1, 'c', '{"type":"text-delta"}'],
    );
    expect(zombieWrite).toEqual([-2]);
  });
});

describe('release-custody.lua', () => {
  it('drops a mark only when it is still the one that was read', async () => {
    const shard = 'baton:{custody-test}:chats';
    await redis.zadd(shard, 1000, 'chat-a');
    expect(await scripts.run('releaseCustody', [shard], ['chat-a', 999])).toEqual([1]);
    expect(await scripts.run('releaseCustody', [shard], ['chat-a', 1000])).toEqual([0]);
    expect(await redis.zscore(shard, 'chat-a')).toBeNull();
    expect(await scripts.run('releaseCustody', [shard], ['chat-a', 1000])).toEqual([1]);
  });
});

describe('retention of idle and closed chats', () => {
  it('lets a suspended chat expire and keeps it again when a message comes', async () => {
    const { keys } = newChat();
    await createSession(keys);
    const [, inputId] = await append(keys, 'p1');
    const [, epoch] = await claim(keys);
    await redis.rpush(keys.messages, 'm0');
    await redis.xadd(keys.output, '*', 'k', '{}');
    await scripts.run(
      'suspendSession',
      [keys.session, keys.input, keys.lease, keys.output, keys.messages],
      [epoch!, inputId!, 5, 60_000],
    );
    for (const key of [keys.session, keys.input, keys.output, keys.messages]) {
      expect(await redis.pttl(key), key).toBeGreaterThan(50_000);
    }
    await append(keys, 'p2');
    for (const key of [keys.session, keys.input, keys.output, keys.messages]) {
      expect(await redis.pttl(key), key).toBe(-1);
    }
  });

  it('gives a created and never used chat the idle retention', async () => {
    const { keys } = newChat();
    await scripts.run('createSession', [keys.session], ['demo', 1000, '', '[]', 60_000]);
    expect(await redis.pttl(keys.session)).toBeGreaterThan(50_000);
  });
});

describe('close-session.lua', () => {
  const close = (keys: ReturnType<typeof chatKeys>) =>
    scripts.run(
      'closeSession',
      [keys.session, keys.lease, keys.input, keys.output, keys.messages],
      [
        9000,
        '{"kind":"session-closed","closedAt":9000}',
        keys.outputWake,
        keys.inputWake,
        60_000,
        '{"kind":"close","receivedAt":9000}',
      ],
    );

  it('fences the holder, refuses appends, tells readers, and expires the chat', async () => {
    const { keys } = newChat();
    await createSession(keys);
    await append(keys, 'p1');
    const [, epoch] = await claim(keys);
    expect(await close(keys)).toEqual([0, 1]);
    expect(await close(keys)).toEqual([0, 0]);
    expect(await redis.hget(keys.session, 'status')).toBe('closed');
    expect(await redis.exists(keys.lease)).toBe(0);
    expect(
      await scripts.run(
        'appendOutput',
        [keys.session, keys.output],
        [epoch!, keys.outputWake, 1000, 1, 'c', '{"type":"text-delta"}'],
      ),
    ).toEqual([-2]);
    expect(await append(keys, 'p2')).toEqual([-3]);
    const output = await redis.xrange(keys.output, '-', '+');
    expect(output.map(([, fields]) => fields[1])).toEqual([
      '{"kind":"session-closed","closedAt":9000}',
    ]);
    // The holder's run is woken by a close record on its input, once.
    const input = await redis.xrange(keys.input, '-', '+');
    expect(input.map(([, fields]) => fields[1]).at(-1)).toBe('{"kind":"close","receivedAt":9000}');
    expect(input.filter(([, fields]) => fields[1]?.includes('"close"'))).toHaveLength(1);
    expect(await redis.pttl(keys.session)).toBeGreaterThan(50_000);
    expect(await redis.pttl(keys.input)).toBeGreaterThan(50_000);
  });

  it('refuses a chat without a session', async () => {
    const { keys } = newChat();
    expect(await close(keys)).toEqual([-1]);
  });
});

describe('release-session.lua', () => {
  const release = (keys: ReturnType<typeof chatKeys>, cursor: string) =>
    scripts.run('releaseSession', [keys.session, keys.lease], [1, 1000, cursor]);

  it('moves the read cursor forward, never back', async () => {
    const { keys } = newChat();
    await createSession(keys);
    await redis.hset(keys.session, 'epoch', 1, 'inputCursor', '1700000000000-5');
    // A run whose turn completion executed but whose reply was lost hands back an older cursor:
    // moving the stored one back would answer that turn's message a second time.
    expect(await release(keys, '1700000000000-4')).toEqual([0, 1]);
    expect(await redis.hget(keys.session, 'inputCursor')).toBe('1700000000000-5');
    expect(await release(keys, '1699999999999-9')).toEqual([0, 2]);
    expect(await redis.hget(keys.session, 'inputCursor')).toBe('1700000000000-5');
    expect(await release(keys, '1700000000001-0')).toEqual([0, 3]);
    expect(await redis.hget(keys.session, 'inputCursor')).toBe('1700000000001-0');
    expect(await release(keys, '')).toEqual([0, 4]);
    expect(await redis.hget(keys.session, 'inputCursor')).toBe('1700000000001-0');
    expect(await redis.hget(keys.session, 'status')).toBe('queued');
  });
});
