import { type BatonStack, startBatonStack, textOf } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A three-turn conversation through one gateway and two worker processes, driven by the stock
// AI SDK client. The client sends one message per request; the worker holds the history.

let stack: BatonStack;

beforeAll(async () => {
  stack = await startBatonStack({ workers: 2, env: { BATON_DEMO_DELAY_MS: '2' } });
});

afterAll(async () => {
  await stack?.stop();
});

describe('a multi-turn chat', () => {
  it('answers three turns with the whole history while each request carries one message', async () => {
    const session = await stack.createSession();
    const sentBodies: { message?: unknown; messages?: unknown[] }[] = [];
    const chat = stack.openChat(session, {
      fetch: async (input, init) => {
        if (init?.method === 'POST' && typeof init.body === 'string') {
          sentBodies.push(JSON.parse(init.body));
        }
        return fetch(input, init);
      },
    });

    for (const text of ['hello', 'how are you', 'goodbye']) {
      await chat.sendMessage({ text });
      expect(chat.status).toBe('ready');
    }

    const replies = chat.messages.filter((message) => message.role === 'assistant').map(textOf);
    expect(replies).toEqual([
      'Turn 1: you said "hello". I have seen 1 user messages.',
      'Turn 2: you said "how are you". I have seen 2 user messages.',
      'Turn 3: you said "goodbye". I have seen 3 user messages.',
    ]);
    expect(sentBodies).toHaveLength(3);
    for (const body of sentBodies) {
      expect(body.messages).toBeUndefined();
      expect(body.message).toMatchObject({ role: 'user' });
    }

    const messages = await stack.fetchMessages(session);
    expect(messages.map((message) => message.id)).toEqual(
      chat.messages.map((message) => message.id),
    );
    expect(messages.map(textOf)).toEqual(chat.messages.map(textOf));
  });

  it('takes only the last message of the stock body that carries every message', async () => {
    const session = await stack.createSession();
    const chat = stack.openChat(session, { isSlim: false });
    await chat.sendMessage({ text: 'one' });
    await chat.sendMessage({ text: 'two' });
    expect(textOf(chat.lastMessage)).toBe('Turn 2: you said "two". I have seen 2 user messages.');
  });

  it('runs the demo weather tool and keeps its result in the history', async () => {
    const session = await stack.createSession();
    const chat = stack.openChat(session);
    await chat.sendMessage({ text: 'What is the weather in Lisbon?' });
    const reply = chat.lastMessage;
    const toolPart = reply?.parts.find((part) => part.type === 'tool-getWeather');
    expect(toolPart).toMatchObject({ state: 'output-available', input: { city: 'Lisbon' } });
    expect(textOf(reply)).toContain('The weather in Lisbon is');

    await chat.sendMessage({ text: 'thanks' });
    expect(textOf(chat.lastMessage)).toBe(
      'Turn 2: you said "thanks". I have seen 2 user messages.',
    );
  });
});
