import { chatKeys } from '@baton/redis';
import { type BatonStack, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The server-side API: sessions are created (or ensured) with the secret key, and the agents
// that live workers registered are listed with their versions.

let stack: BatonStack;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 2,
    workerEnv: { BATON_AGENT_VERSION: '1.4.0' },
    gatewayEnv: { BATON_CLOSED_RETENTION_SECONDS: '3600' },
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('the sessions API', () => {
  it('lists the agents that live workers registered', async () => {
    const response = await fetch(`${stack.gatewayUrl}/v1/agents`, {
      headers: { authorization: `Bearer ${stack.secret}` },
    });
    expect(await response.json()).toEqual({
      agents: [{ id: 'demo', versions: ['1.4.0'], workers: 2 }],
    });
  });

  it('ensures a session idempotently and mints a fresh token that works', async () => {
    const created = await stack.createSession('demo', 'my-chat-1');
    expect(created).toMatchObject({
      chatId: 'my-chat-1',
      agent: 'demo',
      isNew: true,
      isClosed: false,
    });
    const chat = stack.openChat(created);
    await chat.sendMessage({ text: 'first' });

    const again = await stack.createSession('demo', 'my-chat-1');
    expect(again).toMatchObject({ chatId: 'my-chat-1', isNew: false });
    const resumed = stack.openChat(again);
    await resumed.sendMessage({ text: 'second' });
    expect(textOf(resumed.lastMessage)).toBe(
      'Turn 2: you said "second". I have seen 2 user messages.',
    );
  });
});

describe('closing a chat (issue 9, finding 7)', () => {
  const close = (chatId: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}/v1/sessions/${chatId}/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.secret}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('refuses its messages with 409, keeps its history readable, and lets its keys expire', async () => {
    const session = await stack.createSession();
    const chat = stack.openChat(session);
    await chat.sendMessage({ text: 'before closing' });

    const closed = await close(session.chatId, { reason: 'ended by the user' });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toEqual({
      chatId: session.chatId,
      status: 'closed',
      wasOpen: true,
    });
    expect(await (await close(session.chatId)).json()).toMatchObject({ wasOpen: false });
    // Ensured again, it says it is closed: the app opens a new chat instead of a dead one.
    const reopened = await stack.createSession('demo', session.chatId);
    expect(reopened).toMatchObject({ chatId: session.chatId, isNew: false, isClosed: true });

    const refused = await fetch(`${stack.gatewayUrl}/api/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: session.chatId,
        message: { id: 'late', role: 'user', parts: [{ type: 'text', text: 'too late' }] },
      }),
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'SESSION_CLOSED',
    );
    expect((await stack.fetchMessages(session)).map(textOf)).toEqual([
      'before closing',
      'Turn 1: you said "before closing". I have seen 1 user messages.',
    ]);

    const redis = new Redis(stack.redis.url);
    try {
      const keys = chatKeys(session.chatId);
      for (const key of [keys.session, keys.input, keys.output, keys.messages]) {
        const ttlMs = await redis.pttl(key);
        expect(ttlMs, key).toBeGreaterThan(3_000_000);
        expect(ttlMs, key).toBeLessThanOrEqual(3_600_000);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('ends a turn in flight: its stream ends and its worker lets go', async () => {
    const session = await stack.createSession();
    const chat = stack.openChat(session);
    const story = Array.from({ length: 300 }, (_, index) => `word${index}`).join(' ');
    const sending = chat.sendMessage({ text: story });
    await waitUntil(() => textOf(chat.lastMessage).includes('word5'), {
      description: 'the answer streams',
      intervalMs: 5,
    });
    expect((await close(session.chatId)).status).toBe(200);
    await sending;
    expect(chat.status).toBe('error');
    const redis = new Redis(stack.redis.url);
    try {
      await waitUntil(async () => (await redis.exists(chatKeys(session.chatId).lease)) === 0, {
        description: 'no worker holds the closed chat',
      });
      expect(await redis.hget(chatKeys(session.chatId).session, 'status')).toBe('closed');
      // The accepted message stays in the history; nothing of the abandoned answer does, and
      // the turn is not resumable.
      expect((await stack.fetchMessages(session)).map((message) => message.role)).toEqual(['user']);
      const resume = await fetch(`${stack.gatewayUrl}/api/chat/${session.chatId}/stream`, {
        headers: { authorization: `Bearer ${session.token}` },
      });
      expect(resume.status).toBe(204);
    } finally {
      redis.disconnect();
    }
  });

  it('answers 404 for an unknown chat and 400 for a bad body', async () => {
    expect((await close('no-such-chat')).status).toBe(404);
    const session = await stack.createSession();
    expect((await close(session.chatId, { reason: 42 })).status).toBe(400);
  });
});
