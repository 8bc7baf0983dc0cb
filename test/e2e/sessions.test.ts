import { type BatonStack, startBatonStack, textOf } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The server-side API: sessions are created (or ensured) with the secret key, and the agents
// that live workers registered are listed with their versions.

let stack: BatonStack;

beforeAll(async () => {
  stack = await startBatonStack({ workers: 2, workerEnv: { BATON_AGENT_VERSION: '1.4.0' } });
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
    expect(created).toMatchObject({ chatId: 'my-chat-1', agent: 'demo', isNew: true });
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
