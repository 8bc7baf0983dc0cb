import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createFaultInjector, EMPTY_USAGE } from '@baton/protocol';
import { createRedisClient } from '@baton/redis';
import { RedisSessionStore, RunQueue, WakeSubscriber, WriteFence } from '@baton/session-store';
import { parseSseChunks, type RedisServer, startRedisServer, waitUntil } from '@baton/testing';
import { serve } from '@hono/node-server';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_GONE_TEXT } from './answer-locator.ts';
import { createApp } from './app.ts';
import { ChatTokens } from './chat-tokens.ts';
import { loadGatewayConfig } from './config.ts';
import { StreamMetrics } from './stream-metrics.ts';

// A slow client must cost the gateway a bounded buffer, not the whole turn: the SSE response reads
// the output stream only as fast as its client reads (finding 8 of issue 9). A real gateway app on
// a real HTTP server and Redis; the client is a raw socket that stops reading.

const SECRET = 'turn-stream-integration-secret';
/** 40 000 chunks of about 1 KB: some 42 MB of SSE, far above any buffer on the way. */
const DELTA_COUNT = 40_000;
const DELTA = 'x'.repeat(1000);
const POLL_INTERVAL_MS = 100;

let redisServer: RedisServer;
let connections: Redis[] = [];
let store: RedisSessionStore;
let subscriber: WakeSubscriber;
let runQueue: RunQueue;
let server: Server;
let port: number;
const metrics = new StreamMetrics();
const tokens = new ChatTokens({ secret: SECRET, ttlSeconds: 600 });

beforeAll(async () => {
  redisServer = await startRedisServer();
  const redisConnection = () => {
    const connection = createRedisClient({ url: redisServer.url, maxRetriesPerRequest: null });
    connections.push(connection);
    return connection;
  };
  store = new RedisSessionStore({ redis: redisConnection() });
  subscriber = new WakeSubscriber(redisConnection());
  runQueue = new RunQueue({ connection: redisConnection(), prefix: store.globalKeys.queuePrefix });
  const config = loadGatewayConfig({
    REDIS_URL: redisServer.url,
    BATON_SECRET: SECRET,
    BATON_OUTPUT_POLL_MS: String(POLL_INTERVAL_MS),
  });
  const app = createApp({
    config,
    store,
    subscriber,
    runQueue,
    tokens,
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    faults: createFaultInjector(new Map(), () => {}),
    metrics,
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no server address');
  port = address.port;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await runQueue?.close().catch(() => {});
  subscriber?.close();
  for (const connection of connections) connection.disconnect();
  connections = [];
  await redisServer?.stop();
});

/** Writes a turn of `DELTA_COUNT` text deltas as a worker would; resolves how to complete it. */
async function writeLargeTurn(chatId: string): Promise<() => Promise<void>> {
  await store.createSession({ chatId, agentId: 'demo' });
  const { inputId } = await store.appendInput(
    chatId,
    {
      kind: 'message',
      message: { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'a long answer' }] },
      trigger: 'submit-message',
      receivedAt: Date.now(),
    },
    'large-turn',
  );
  const claim = await store.claim({ chatId, runSeq: 1, workerId: 'w1', leaseDurationMs: 60_000 });
  if (!('epoch' in claim)) throw new Error('claim failed');
  const fence = new WriteFence(chatId, claim.epoch);
  await store.startTurn(fence, {
    kind: 'turn-start',
    turn: 0,
    inputId,
    epoch: claim.epoch,
    startedAt: Date.now(),
  });
  const chunks = [
    { type: 'start', messageId: 'a1' },
    { type: 'text-start', id: 't1' },
    ...Array.from({ length: DELTA_COUNT }, () => ({ type: 'text-delta', id: 't1', delta: DELTA })),
    { type: 'text-end', id: 't1' },
    { type: 'finish' },
  ].map((chunk) => JSON.stringify(chunk));
  for (let index = 0; index < chunks.length; index += 1000) {
    await store.appendChunks(fence, chunks.slice(index, index + 1000));
  }
  return async () => {
    await store.completeTurn(fence, {
      record: { kind: 'turn-complete', turn: 0, inputId, status: 'complete', finishedAt: 1 },
      inputCursor: inputId,
      turns: 1,
      totalUsage: EMPTY_USAGE,
      keepCount: 0,
      messages: [],
    });
  };
}

/**
 * Resolves the output entries read once the gateway stopped reading: the count has not moved for
 * `quietMs` and the response waits for its client, or the whole turn was read.
 */
async function waitUntilReadsStop(totalEntries: number, quietMs: number): Promise<number> {
  let last = metrics.outputEntriesRead;
  let quietSince = Date.now();
  await waitUntil(
    () => {
      const current = metrics.outputEntriesRead;
      if (current !== last) {
        last = current;
        quietSince = Date.now();
      }
      const isWaiting = metrics.streamsAwaitingClient === 1 || current >= totalEntries;
      return current > 0 && isWaiting && Date.now() - quietSince >= quietMs;
    },
    { description: 'the gateway stops reading', timeoutMs: 30_000, intervalMs: 50 },
  );
  return last;
}

/** The body of a chunked HTTP/1.1 response, once its last chunk arrived; undefined before. */
function chunkedBody(response: Buffer): Buffer | undefined {
  let offset = response.indexOf('\r\n\r\n') + 4;
  if (offset < 4) return undefined;
  const parts: Buffer[] = [];
  for (;;) {
    const lineEnd = response.indexOf('\r\n', offset);
    if (lineEnd === -1) return undefined;
    const size = Number.parseInt(response.subarray(offset, lineEnd).toString('latin1'), 16);
    if (size === 0) return Buffer.concat(parts);
    if (lineEnd + 2 + size + 2 > response.length) return undefined;
    parts.push(response.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

describe('an SSE response to a client that stops reading', () => {
  it('stops reading the output near its buffer, then streams the whole turn once read', async () => {
    const chatId = 'slow-client';
    const completeTurn = await writeLargeTurn(chatId);
    const { token } = await tokens.mint(chatId);
    const received: Buffer[] = [];
    const socket: Socket = connect(port, '127.0.0.1');
    // Paused before any byte arrives: the kernel's buffers fill, then the server's writes stall.
    socket.pause();
    socket.on('data', (data: Buffer) => received.push(data));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `GET /api/chat/${chatId}/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: Bearer ${token}\r\n\r\n`,
    );

    const totalEntries = DELTA_COUNT + 5;
    const entriesRead = await waitUntilReadsStop(totalEntries, 500);
    // The kernel's socket buffers (about 4 MB on loopback here: 4 500 entries were read), the
    // response's high-water mark and one page: a small part of the turn. Without backpressure
    // the gateway reads all of it at once (measured: all 40 005 entries).
    expect(entriesRead).toBeLessThan(totalEntries / 4);
    expect(metrics.streamsAwaitingClient).toBe(1);
    expect(metrics.openStreams).toBe(1);

    await completeTurn();
    socket.resume();
    let body: Buffer | undefined;
    await waitUntil(
      () => {
        // The last chunk of a chunked body is `0\r\n\r\n`: parse once it may have come.
        if (!received.at(-1)?.toString('latin1').endsWith('0\r\n\r\n')) return false;
        body = chunkedBody(Buffer.concat(received));
        return body !== undefined;
      },
      { description: 'the whole turn arrives', timeoutMs: 30_000, intervalMs: 50 },
    );
    socket.destroy();

    const events = (body?.toString('utf8') ?? '').split('\n\n').filter((event) => event !== '');
    const data = events
      .filter((event) => !event.startsWith(':'))
      .map((event) => event.split('\n').find((line) => line.startsWith('data: ')));
    expect(data.at(-1)).toBe('data: [DONE]');
    const chunks = data.slice(0, -1).map((line) => JSON.parse(line?.slice(6) ?? 'null'));
    expect(chunks).toHaveLength(totalEntries - 1);
    expect(chunks.filter((chunk) => chunk.type === 'text-delta')).toHaveLength(DELTA_COUNT);
    expect(chunks.at(-1)).toEqual({ type: 'finish' });
    // Every chunk event names its output entry, for a client that resumes after it.
    const chunkEvents = events.filter((event) => event.includes('data: {'));
    expect(chunkEvents.every((event) => /^id: \d+-\d+\n/.test(event))).toBe(true);
    await waitUntil(() => metrics.openStreams === 0, { description: 'the response is closed' });
  });
});

describe('an answer whose turn can no longer come', () => {
  it('ends with an error chunk once the chat handled its message without a turn', async () => {
    const chatId = 'handled-without-turn';
    await store.createSession({ chatId, agentId: 'demo' });
    const { token } = await tokens.mint(chatId);
    const response = fetch(`http://127.0.0.1:${port}/api/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: chatId,
        message: { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'anyone?' }] },
      }),
      signal: AbortSignal.timeout(10_000),
    });
    let inputId = '';
    await waitUntil(
      async () => {
        inputId = (await store.readInput(chatId, '0-0'))[0]?.id ?? '';
        return inputId !== '';
      },
      { description: 'the message is appended' },
    );
    // A worker takes the message and suspends the chat past it without running a turn (a custom
    // agent may): the answer the response waits for will never be written.
    const claim = await store.claim({ chatId, runSeq: 1, workerId: 'w1', leaseDurationMs: 60_000 });
    if (!('epoch' in claim)) throw new Error('claim failed');
    expect(await store.suspend(chatId, claim.epoch, inputId)).toBe('suspended');

    const body = await (await response).text();

    expect(parseSseChunks(body)).toEqual([{ type: 'error', errorText: ANSWER_GONE_TEXT }]);
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});
