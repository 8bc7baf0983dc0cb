import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BatonStack,
  startBatonStack,
  startTcpProxy,
  type TcpProxy,
  textOf,
  waitUntil,
} from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whenAnswer } from './chaos-harness.ts';
import type { Tick } from './fixtures/ticking-agent.ts';

// Issue 9, finding 3: a worker cut off from Redis by a partition (its sockets stay open, no byte
// moves: no error, no FIN, no RST) must stop its local work by its lease deadline, whatever Redis
// command it is waiting on, because another worker takes the chat over once the lease expires in
// Redis. Otherwise both run the turn: the model is paid twice and tools with side effects run
// twice at the same time. Every Redis connection of the partitioned worker goes through a TCP
// proxy that the test blackholes mid-turn, while the tool runs; the ticking agent logs its work
// to a file, with the pid and the time, outside Redis.

const TICKING_AGENT = new URL('./fixtures/ticking-agent.ts', import.meta.url).pathname;
const LEASE_MS = 2_000;
/**
 * Lateness allowed past the lease deadline: timers, the abort reaching the tool, a worker sharing
 * two cores with the rest of the suite. Before the fix the cut-off worker went on 2.6 s past it.
 */
const TOLERANCE_MS = 1_000;
const WEATHER = 'What is the weather in Oslo?';

let stack: BatonStack;
let proxy: TcpProxy;
let tickDirectory: string;
let tickFile: string;

beforeAll(async () => {
  tickDirectory = mkdtempSync(join(tmpdir(), 'baton-ticks-'));
  tickFile = join(tickDirectory, 'ticks.jsonl');
  stack = await startBatonStack({
    workers: 0,
    env: { BATON_DEMO_DELAY_MS: '20' },
    workerEnv: {
      BATON_AGENTS: TICKING_AGENT,
      BATON_LEASE_MS: String(LEASE_MS),
      BATON_IDLE_TIMEOUT_SECONDS: '60',
      CHAOS_TICK_FILE: tickFile,
      CHAOS_TOOL_WORK_MS: '4000',
    },
  });
  proxy = await startTcpProxy({ targetPort: stack.redis.port });
});

afterAll(async () => {
  // Healed, the partitioned worker finds out it lost everything and can shut down in time.
  proxy?.heal();
  await stack?.stop();
  await proxy?.close();
  if (tickDirectory) rmSync(tickDirectory, { recursive: true, force: true });
});

function readTicks(): Tick[] {
  let text = '';
  try {
    text = readFileSync(tickFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Tick);
}

/** The `time` of the first pino line of `output` whose message starts with `message`. */
function loggedAt(output: string, message: string): number | undefined {
  const line = output.split('\n').find((candidate) => candidate.includes(`"msg":"${message}`));
  return line === undefined ? undefined : (JSON.parse(line) as { time: number }).time;
}

describe('a worker partitioned from Redis mid-turn', () => {
  it('stops its work by its lease deadline; another worker finishes the turn once', async () => {
    const partitioned = await stack.startWorker({ REDIS_URL: proxy.url });
    const session = await stack.createSession('ticking');
    const chat = stack.openChat(session);
    const sending = chat.sendMessage({ text: WEATHER });
    // The tool call is in Redis (the client shows it), and the tool is at work.
    await whenAnswer(
      chat,
      (message) =>
        message.parts.some(
          (part) => part.type === 'tool-getWeather' && part.state === 'input-available',
        ),
      'the tool part is input-available',
    );
    await waitUntil(
      () => readTicks().some((tick) => tick.pid === partitioned.pid && tick.kind === 'tool'),
      { description: 'the partitioned worker runs the tool' },
    );
    expect(proxy.connectionCount).toBeGreaterThan(0);

    const blackholedAt = Date.now();
    proxy.blackhole();
    // Its lease, last renewed before the partition, runs out in Redis by then at the latest.
    const deadline = blackholedAt + LEASE_MS;
    const healthy = await stack.startWorker();
    await sending;

    // The client got the whole answer, from the healthy worker.
    expect(chat.status).toBe('ready');
    expect(textOf(chat.lastMessage)).toMatch(
      /^Turn 1: you said "What is the weather in Oslo\?"\. The weather in Oslo is .+\. I have seen 1 user messages\.$/,
    );

    const ticks = readTicks();
    const ofPartitioned = ticks.filter((tick) => tick.pid === partitioned.pid);
    const ofHealthy = ticks.filter((tick) => tick.pid === healthy.pid);
    const lastPartitionedAt = Math.max(...ofPartitioned.map((tick) => tick.at));
    const firstHealthyAt = Math.min(...ofHealthy.map((tick) => tick.at));
    expect(ofPartitioned.length + ofHealthy.length).toBe(ticks.length);
    // The partitioned worker stopped the model and the tool by its lease deadline, and its job
    // let go of the chat then too, although every Redis command it had in flight still hangs.
    expect(lastPartitionedAt - deadline).toBeLessThanOrEqual(TOLERANCE_MS);
    await waitUntil(() => loggedAt(partitioned.output(), 'run cancelled') !== undefined, {
      description: 'the partitioned worker ends its run',
    });
    expect(partitioned.output()).toMatch(/"msg":"lease lost"/);
    expect((loggedAt(partitioned.output(), 'run cancelled') ?? Infinity) - deadline).toBeLessThan(
      TOLERANCE_MS,
    );
    // Never two workers at work on the chat at once.
    expect(firstHealthyAt).toBeGreaterThan(lastPartitionedAt);
    // Nothing ran twice but what recovery re-runs: the tool that was interrupted ran again once,
    // under the same id, and the model was called once per step, as in an uninterrupted turn.
    const toolRuns = new Set(
      ticks.filter((tick) => tick.kind === 'tool').map((tick) => `${tick.pid}/${tick.id}`),
    );
    expect(toolRuns.size).toBe(2);
    expect(new Set(ticks.filter((tick) => tick.kind === 'tool').map((tick) => tick.id)).size).toBe(
      1,
    );
    const modelCalls = new Set(
      ticks.filter((tick) => tick.kind === 'model').map((tick) => tick.id),
    );
    expect(modelCalls.size).toBe(2);

    // The chat goes on, on the healthy worker.
    await chat.sendMessage({ text: 'still there?' });
    expect(textOf(chat.lastMessage)).toBe(
      'Turn 2: you said "still there?". I have seen 2 user messages.',
    );
  });
});
