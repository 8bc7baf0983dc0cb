import { type BatonStack, DEMO_AGENTS, startBatonStack, textOf } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Through real processes: an error thrown by an agent's `run` ends the turn with an `error` chunk
// and the chat stays usable; hooks get the turn number, validated client data and usage totals.

let stack: BatonStack;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 1,
    workerEnv: {
      BATON_AGENTS: `${DEMO_AGENTS},${new URL('./fixtures/hooks-agent.ts', import.meta.url).pathname}`,
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('agent errors and hooks', () => {
  it('reports a failing turn to the client and answers the next message', async () => {
    const session = await stack.createSession('hooks');
    const chat = stack.openChat(session);

    await chat.sendMessage({ text: 'hello' }, { body: { plan: 'pro' } });
    expect(textOf(chat.lastMessage)).toBe('Turn 1: you said "hello". I have seen 1 user messages.');
    expect(chat.lastMessage?.parts.find((part) => part.type === 'data-turn')).toMatchObject({
      data: { turn: 0, plan: 'pro', totalTokens: 0, previousTokens: null, continuation: false },
    });

    await chat.sendMessage({ text: 'fail' }, { body: { plan: 'pro' } });
    expect(chat.status).toBe('error');
    expect(chat.error?.message).toBe('An error occurred while generating the response.');

    await chat.sendMessage({ text: 'again' }, { body: { plan: 'free' } });
    expect(chat.status).toBe('ready');
    expect(textOf(chat.lastMessage)).toBe('Turn 3: you said "again". I have seen 3 user messages.');
    const data = chat.lastMessage?.parts.find((part) => part.type === 'data-turn');
    expect(data).toMatchObject({ data: { turn: 2, plan: 'free' } });
    const tokens = (data as { data: { totalTokens: number; previousTokens: number } }).data;
    expect(tokens.totalTokens).toBeGreaterThan(0);
    expect(tokens.previousTokens).toBe(0);
  });

  it('fails a turn whose client data does not match the schema, then goes on', async () => {
    const session = await stack.createSession('hooks');
    const chat = stack.openChat(session);
    await chat.sendMessage({ text: 'hi' }, { body: { plan: 'platinum' } });
    expect(chat.status).toBe('error');
    await chat.sendMessage({ text: 'hi again' }, { body: { plan: 'free' } });
    expect(textOf(chat.lastMessage)).toBe(
      'Turn 2: you said "hi again". I have seen 2 user messages.',
    );
  });
});
