import { chatKeys } from '@baton/redis';
import { type BatonStack, startBatonStack, textOf } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A client whose connection drops mid-turn resumes with `resumeStream()` and ends with exactly the
// message an uninterrupted client gets: the gateway replays the turn from its first chunk and the
// AI SDK replaces the partial message. The disconnect does not stop the turn.

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({ workers: 2, env: { BATON_DEMO_DELAY_MS: '15' } });
  redis = new Redis(stack.redis.url);
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

const STORY = 'tell me a story about a baton passed between runners in a relay race at night';

/**
 * A fetch that cuts the first chat POST's response after `deltaCount` text deltas, the way a
 * dropped connection ends it in Node (`TypeError: terminated`), and closes the connection.
 */
function fetchThatDropsMidTurn(deltaCount: number): typeof fetch {
  let hasDropped = false;
  return async (input, init) => {
    const connection = new AbortController();
    const signal = init?.signal
      ? AbortSignal.any([init.signal, connection.signal])
      : connection.signal;
    const response = await fetch(input, { ...init, signal });
    if (init?.method !== 'POST' || hasDropped || !response.body) return response;
    hasDropped = true;
    const decoder = new TextDecoder();
    let seen = 0;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += decoder.decode(chunk, { stream: true }).split('"type":"text-delta"').length - 1;
          if (seen >= deltaCount) {
            controller.error(new TypeError('terminated'));
            connection.abort();
            return;
          }
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

describe('mid-stream reconnect', () => {
  it('resumes a dropped turn into the same message an uninterrupted client gets', async () => {
    const reference = await stack.createSession();
    const referenceChat = stack.openChat(reference);
    await referenceChat.sendMessage({ text: STORY });

    const session = await stack.createSession();
    const chat = stack.openChat(session, { fetch: fetchThatDropsMidTurn(3) });
    await chat.sendMessage({ text: STORY });
    expect(chat.status).toBe('error');
    const partial = textOf(chat.lastMessage);
    expect(partial.length).toBeGreaterThan(0);
    expect(textOf(referenceChat.lastMessage).startsWith(partial)).toBe(true);

    await chat.resumeStream();
    expect(chat.status).toBe('ready');
    expect(chat.messages).toHaveLength(2);
    expect(chat.lastMessage?.parts).toEqual(referenceChat.lastMessage?.parts);

    // The turn ran to completion although its first client went away.
    const output = await redis.xrange(chatKeys(session.chatId).output, '-', '+');
    const turnComplete = output
      .map(([, fields]) => fields)
      .find((fields) => fields[0] === 'k' && fields[1]?.includes('"turn-complete"'));
    expect(JSON.parse(turnComplete?.[1] ?? '{}')).toMatchObject({ status: 'complete', turn: 0 });
    const messages = await stack.fetchMessages(session);
    expect(messages.at(-1)).toEqual(chat.lastMessage);
  });

  it('answers a resume with 204 when no turn is in flight', async () => {
    const session = await stack.createSession();
    const chat = stack.openChat(session);
    await chat.resumeStream();
    expect(chat.status).toBe('ready');
    expect(chat.messages).toEqual([]);
  });
});
