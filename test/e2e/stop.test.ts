import { type BatonStack, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `POST /api/chat/:id/stop` aborts the model call of the in-flight turn: the turn ends early, its
// partial answer is cleaned and persisted, and the chat goes on.

let stack: BatonStack;

beforeAll(async () => {
  stack = await startBatonStack({ workers: 2, env: { BATON_DEMO_DELAY_MS: '20' } });
});

afterAll(async () => {
  await stack?.stop();
});

const LONG_MESSAGE = Array.from({ length: 150 }, (_, index) => `word${index}`).join(' ');
const FULL_REPLY = `Turn 1: you said "${LONG_MESSAGE}". I have seen 1 user messages.`;

describe('stop mid-turn', () => {
  it('ends the turn early, persists the partial answer cleanly, and the next message works', async () => {
    const session = await stack.createSession();
    const chat = stack.openChat(session);
    const sending = chat.sendMessage({ text: LONG_MESSAGE });
    await waitUntil(
      () => chat.lastMessage?.role === 'assistant' && textOf(chat.lastMessage).length > 40,
      {
        description: 'the answer is streaming',
      },
    );

    const stop = await fetch(`${stack.gatewayUrl}/api/chat/${session.chatId}/stop`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(stop.status).toBe(200);
    expect(await stop.json()).toEqual({ ok: true, isStopping: true });
    await sending;

    const partial = textOf(chat.lastMessage);
    expect(FULL_REPLY.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(FULL_REPLY.length);

    const messages = await stack.fetchMessages(session);
    expect(messages).toHaveLength(2);
    const persisted = messages[1];
    expect(persisted?.id).toBe(chat.lastMessage?.id);
    expect(textOf(persisted)).toBe(partial);
    for (const part of persisted?.parts ?? []) {
      if (part.type === 'text') expect(part.state).toBe('done');
    }

    await chat.sendMessage({ text: 'next' });
    expect(textOf(chat.lastMessage)).toBe('Turn 2: you said "next". I have seen 2 user messages.');
  });

  it('answers a stop with nothing running without appending anything', async () => {
    const session = await stack.createSession();
    const stop = await fetch(`${stack.gatewayUrl}/api/chat/${session.chatId}/stop`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(await stop.json()).toEqual({ ok: true, isStopping: false });
  });
});
