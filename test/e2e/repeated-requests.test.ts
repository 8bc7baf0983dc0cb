import { chatKeys } from '@baton/redis';
import { type BatonStack, parseSseChunks, sseText, startBatonStack, textOf } from '@baton/testing';
import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Which requests are the same request (docs/decisions/2026-11-22-append-idempotency-key.md): the
// stock client's `regenerate()` sends the same body every time, yet each call is a new turn; a
// client's retry is the first request again, even after its turn was trimmed from the output.

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  // Turns of some 200 ms: a concurrent retry lands while the first request's turn runs.
  stack = await startBatonStack({ workers: 2, env: { BATON_DEMO_DELAY_MS: '20' } });
  redis = new Redis(stack.redis.url);
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

describe('regenerate() with the stock client', () => {
  it.each([
    { body: 'the stock body with every message', isSlim: false },
    { body: 'a slim body with the last message', isSlim: true },
  ])('twice in a row gives two new answers ($body)', async ({ isSlim }) => {
    const session = await stack.createSession();
    const chat = stack.openChat(session, { isSlim });
    await chat.sendMessage({ text: 'hello' });
    expect(textOf(chat.lastMessage)).toBe('Turn 1: you said "hello". I have seen 1 user messages.');

    await chat.regenerate();
    expect(chat.status).toBe('ready');
    const first = chat.lastMessage;
    await chat.regenerate();
    expect(chat.status).toBe('ready');
    const second = chat.lastMessage;

    // The demo model numbers its answers by turn: each regeneration is a turn of its own.
    expect(textOf(first)).toBe('Turn 2: you said "hello". I have seen 1 user messages.');
    expect(textOf(second)).toBe('Turn 3: you said "hello". I have seen 1 user messages.');
    expect(second?.id).not.toBe(first?.id);
    const persisted = await stack.fetchMessages(session);
    expect(persisted.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(persisted.at(-1)?.id).toBe(second?.id);
    expect(textOf(persisted.at(-1))).toBe(textOf(second));
    expect(await redis.hget(chatKeys(session.chatId).session, 'turns')).toBe('3');
  });
});

describe('a retried regeneration', () => {
  it('is one turn while the first is pending or running', async () => {
    const session = await stack.createSession();
    const chat = stack.openChat(session, { isSlim: false });
    await chat.sendMessage({ text: 'hello' });
    const question = chat.messages[0];
    // What the stock client posts for `regenerate()`, sent twice at once as a retrying proxy does.
    const body = JSON.stringify({
      id: session.chatId,
      messages: [question],
      trigger: 'regenerate-message',
    });
    const post = async () => {
      const response = await fetch(`${stack.gatewayUrl}/api/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(200);
      return sseText(await response.text());
    };

    const [first, retry] = await Promise.all([post(), post()]);

    const expected = 'Turn 2: you said "hello". I have seen 1 user messages.';
    expect(first).toBe(expected);
    expect(retry).toBe(expected);
    expect(await redis.hget(chatKeys(session.chatId).session, 'turns')).toBe('2');
  });
});

describe('a retried POST whose turn was trimmed from the output', () => {
  it('ends promptly with the answer from the checkpoint, and runs no turn', async () => {
    const { chatId, token } = await stack.createSession();
    const post = async (message: UIMessage): Promise<string> => {
      const response = await fetch(`${stack.gatewayUrl}/api/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: chatId, messages: [message], trigger: 'submit-message' }),
        // Longer than any answer takes here; the code before this fix waited with no end.
        signal: AbortSignal.timeout(10_000),
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    const messageA: UIMessage = {
      id: 'user-a',
      role: 'user',
      parts: [{ type: 'text', text: 'first question' }],
    };
    const messageB: UIMessage = {
      id: 'user-b',
      role: 'user',
      parts: [{ type: 'text', text: 'second question' }],
    };
    const answerA = await post(messageA);
    await post(messageB);
    // B's turn completed, so the output keeps B's turn only: A's records are gone.
    const output = await redis.xrange(chatKeys(chatId).output, '-', '+');
    expect(output.some(([, fields]) => fields[1]?.includes('first question'))).toBe(false);

    const retry = await post(messageA);

    const expectedText = 'Turn 1: you said "first question". I have seen 1 user messages.';
    expect(sseText(answerA)).toBe(expectedText);
    expect(sseText(retry)).toBe(expectedText);
    expect(retry.trimEnd().endsWith('data: [DONE]')).toBe(true);
    // The stock client rebuilds the persisted answer, with its id, from what the retry streamed.
    const persisted = await stack.fetchMessages({ chatId, token });
    expect(persisted.map((message) => message.id)).toEqual([
      'user-a',
      persisted[1]?.id,
      'user-b',
      persisted[3]?.id,
    ]);
    const rebuilt = await lastMessageOf(parseSseChunks(retry) as UIMessageChunk[]);
    expect(rebuilt).toEqual(persisted[1]);
    expect(await redis.hget(chatKeys(chatId).session, 'turns')).toBe('2');
  });
});

async function lastMessageOf(chunks: UIMessageChunk[]): Promise<UIMessage | undefined> {
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream })) last = message;
  return last;
}
