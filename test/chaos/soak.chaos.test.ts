import { chatKeys } from '@baton/redis';
import {
  type BatonStack,
  type ServiceProcess,
  startBatonStack,
  startTcpProxy,
  type TcpProxy,
  textOf,
  waitUntil,
} from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPendingRuns } from './run-jobs.ts';

// Issues 3 and 9: a soak. Many chats take turn after turn while, every few seconds, a random
// worker is SIGKILLed (and replaced), cut off from Redis for a while (its connections stall: a
// partition, a half-open socket), or has its Redis connections reset (errors mid-command). Every
// worker reaches Redis through a TCP proxy of its own, which is how the faults are injected. At the
// end every user message is answered exactly once in the persisted history, no answer has
// duplicated parts, and every chat is suspended with no job left.
// BATON_SOAK_SECONDS sets the length (default 120); BATON_SOAK_SEED replays a run's fault schedule.

const SOAK_AGENT = new URL('./fixtures/soak-agent.ts', import.meta.url).pathname;
const SOAK_MS = Number(process.env.BATON_SOAK_SECONDS ?? 120) * 1000;
const SEED = Number(process.env.BATON_SOAK_SEED ?? Date.now() % 1_000_000);
const CHATS = 12;
const WORKERS = 3;
const IDLE_TIMEOUT_SECONDS = 2;

let stack: BatonStack;
let redis: Redis;
/** The proxy between each worker and Redis. */
const proxies = new Map<ServiceProcess, TcpProxy>();

/** A worker whose every Redis connection goes through a proxy of its own. */
async function startProxiedWorker(): Promise<ServiceProcess> {
  const proxy = await startTcpProxy({ targetPort: stack.redis.port });
  const worker = await stack.startWorker({ REDIS_URL: proxy.url });
  proxies.set(worker, proxy);
  return worker;
}

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 0,
    env: { BATON_DEMO_DELAY_MS: '10' },
    workerEnv: {
      BATON_AGENTS: SOAK_AGENT,
      BATON_MAX_RUN_ATTEMPTS: '50',
      BATON_IDLE_TIMEOUT_SECONDS: String(IDLE_TIMEOUT_SECONDS),
      // A stalled command fails, and its silent connection is replaced, within a second.
      BATON_REDIS_COMMAND_TIMEOUT_MS: '1000',
      BATON_RECONCILE_INTERVAL_MS: '1000',
    },
  });
  redis = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
  for (let index = 0; index < WORKERS; index += 1) await startProxiedWorker();
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
  await Promise.all([...proxies.values()].map((proxy) => proxy.close()));
});

/** A small deterministic generator (mulberry32), so a failing run's kills can be replayed. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function reply(turn: number, text: string): string {
  return `Turn ${turn}: you said "${text}". I have seen ${turn} user messages.`;
}

describe(`a soak of ${CHATS} chats with random worker faults (seed ${SEED})`, () => {
  it('answers every message exactly once and leaves every chat suspended', {
    timeout: SOAK_MS + 120_000,
  }, async () => {
    const random = randomFrom(SEED);
    const deadline = Date.now() + SOAK_MS;
    const sessions = await Promise.all(
      Array.from({ length: CHATS }, () => stack.createSession('soak')),
    );
    const sent = sessions.map(() => 0);
    const failures: string[] = [];

    const conversations = sessions.map(async (session, index) => {
      const chat = stack.openChat(session);
      while (Date.now() < deadline) {
        const turn = (sent[index] ?? 0) + 1;
        const words = 5 + Math.floor(random() * 30);
        const text = `chat ${index} turn ${turn} ${'word '.repeat(words).trim()}`;
        sent[index] = turn;
        await chat.sendMessage({ text });
        if (chat.status !== 'ready' || textOf(chat.lastMessage) !== reply(turn, text)) {
          const parts = chat.lastMessage?.parts.map((part) => part.type).join(',');
          failures.push(
            `${session.chatId} turn ${turn}: ${chat.status} ${chat.error?.message ?? ''} [${parts}] ${textOf(chat.lastMessage)}`,
          );
          return;
        }
        // Some chats pause past the idle timeout, so suspends and resumes mix with the kills.
        if (random() < 0.2) {
          await new Promise((resolve) => setTimeout(resolve, IDLE_TIMEOUT_SECONDS * 1000 + 500));
        }
      }
    });

    const faults = { kills: 0, stalls: 0, resets: 0 };
    const chaos = (async () => {
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 2_000 + random() * 4_000));
        if (Date.now() >= deadline) break;
        const live = stack.workers.filter((worker) => !worker.hasExited);
        const victim = live[Math.floor(random() * live.length)];
        const proxy = victim && proxies.get(victim);
        if (!victim || !proxy) continue;
        const fault = random();
        if (fault < 0.4) {
          await victim.kill();
          faults.kills += 1;
          await startProxiedWorker();
        } else if (fault < 0.75) {
          // Cut off for less or more than a lease (2 s): a pause it survives, or one past which
          // its chats are taken over while it still runs.
          proxy.blackhole();
          faults.stalls += 1;
          await new Promise((resolve) => setTimeout(resolve, 500 + random() * 3_500));
          proxy.heal();
        } else {
          proxy.resetConnections();
          faults.resets += 1;
        }
      }
    })();

    await Promise.all([...conversations, chaos]);
    const summary = `faults ${JSON.stringify(faults)}, turns ${JSON.stringify(sent)}`;
    expect(failures, summary).toEqual([]);
    expect(faults.kills + faults.stalls + faults.resets).toBeGreaterThan(0);

    for (const [index, session] of sessions.entries()) {
      const messages = await stack.fetchMessages(session);
      expect(messages, session.chatId).toHaveLength((sent[index] ?? 0) * 2);
      for (const [position, message] of messages.entries()) {
        const turn = Math.floor(position / 2) + 1;
        expect(message.role).toBe(position % 2 === 0 ? 'user' : 'assistant');
        if (message.role !== 'assistant') continue;
        const userText = textOf(messages[position - 1]);
        expect(
          message.parts.map((part) => part.type),
          session.chatId,
        ).toEqual(['step-start', 'text']);
        expect(textOf(message)).toBe(reply(turn, userText));
      }
    }

    await waitUntil(
      async () => {
        const statuses = await Promise.all(
          sessions.map((session) => redis.hget(chatKeys(session.chatId).session, 'status')),
        );
        return (
          statuses.every((status) => status === 'suspended') &&
          !(await hasPendingRuns(redis, 'soak'))
        );
      },
      {
        description: 'every chat is suspended with no job left',
        timeoutMs: 30_000,
        intervalMs: 250,
      },
    );
  });
});
