import { chatKeys } from '@baton/redis';
import { type BatonStack, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holderOf, whenAnswer } from './chaos-harness.ts';

// Issue 10, section 1: Trigger.dev's two custom agents (test/chaos/fixtures/custom-agents.ts, the
// docs' loops with the import changed and no database) hold a conversation across turns, an idle
// suspend and a SIGKILL of their worker mid-turn: after each, the next answer sees every user
// message exactly once, and the persisted history is the conversation, message for message.

const CUSTOM_AGENTS = new URL('./fixtures/custom-agents.ts', import.meta.url).pathname;
const IDLE_SECONDS = 1;

let stack: BatonStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 2,
    env: { BATON_DEMO_DELAY_MS: '15' },
    workerEnv: { BATON_AGENTS: CUSTOM_AGENTS, CUSTOM_IDLE_SECONDS: String(IDLE_SECONDS) },
  });
  redis = new Redis(stack.redis.url);
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

const answer = (turn: number, text: string) =>
  `Turn ${turn}: you said "${text}". I have seen ${turn} user messages.`;

describe.each([
  ['the managed loop of chat.createSession', 'my-chat'],
  ['a hand-rolled loop', 'my-chat-raw'],
])('a custom agent with %s', (_name, agentId) => {
  it('keeps its history across turns, an idle suspend and a worker killed mid-turn', async () => {
    const session = await stack.createSession(agentId);
    const chat = stack.openChat(session);
    const keys = chatKeys(session.chatId);

    await chat.sendMessage({ text: 'first' });
    expect(textOf(chat.lastMessage)).toBe(answer(1, 'first'));
    await chat.sendMessage({ text: 'second' });
    expect(textOf(chat.lastMessage)).toBe(answer(2, 'second'));

    // Idle past its wait: the loop returns, the chat is checkpointed and suspended.
    await waitUntil(async () => (await redis.hget(keys.session, 'status')) === 'suspended', {
      description: 'the chat suspends when idle',
      timeoutMs: 10_000,
    });
    await chat.sendMessage({ text: 'third' });
    expect(textOf(chat.lastMessage)).toBe(answer(3, 'third'));

    // A worker killed while the answer streams: another one runs the turn again, in the same
    // message, and the client ends with the answer an uninterrupted run gives.
    const long = Array.from({ length: 60 }, (_, index) => `word${index}`).join(' ');
    const sending = chat.sendMessage({ text: long });
    await whenAnswer(chat, (message) => textOf(message).includes('word3'), 'the answer streams');
    await (await holderOf(stack, redis, session.chatId)).kill();
    const replacement = stack.startWorker();
    await sending;
    await replacement;
    expect(chat.status).toBe('ready');
    expect(textOf(chat.lastMessage)).toBe(answer(4, long));

    await chat.sendMessage({ text: 'fifth' });
    expect(textOf(chat.lastMessage)).toBe(answer(5, 'fifth'));

    const persisted = await stack.fetchMessages(session);
    expect(persisted.map(textOf)).toEqual([
      'first',
      answer(1, 'first'),
      'second',
      answer(2, 'second'),
      'third',
      answer(3, 'third'),
      long,
      answer(4, long),
      'fifth',
      answer(5, 'fifth'),
    ]);
    expect(persisted.at(-3)).toEqual(chat.messages.at(-3));
    expect(await redis.hget(keys.session, 'turns')).toBe('5');
  });
});
