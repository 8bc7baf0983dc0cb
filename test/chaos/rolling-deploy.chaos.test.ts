import { type BatonStack, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue 3, failure 3: a rolling deploy. Every worker in turn gets SIGTERM while a replacement
// starts, as 50 chats are mid-conversation. A draining worker finishes its running turns and hands
// its waiting chats over at the turn boundary: zero failed turns, no message lost or doubled.

const CHATS = 50;
const TURNS = 4;

let stack: BatonStack;

beforeAll(async () => {
  stack = await startBatonStack({
    workers: 3,
    env: { BATON_DEMO_DELAY_MS: '15' },
    workerEnv: { BATON_IDLE_TIMEOUT_SECONDS: '60' },
  });
});

afterAll(async () => {
  await stack?.stop();
});

function expectedReply(turn: number, text: string): string {
  return `Turn ${turn}: you said "${text}". I have seen ${turn} user messages.`;
}

describe('a rolling deploy', () => {
  it('fails no turn and loses or doubles no message of 50 chats mid-conversation', async () => {
    const sessions = await Promise.all(Array.from({ length: CHATS }, () => stack.createSession()));
    const failures: string[] = [];
    let completedTurns = 0;
    const conversations = sessions.map(async (session, index) => {
      const chat = stack.openChat(session);
      for (let turn = 1; turn <= TURNS; turn += 1) {
        const text = `chat ${index} message ${turn}`;
        await chat.sendMessage({ text });
        if (chat.status !== 'ready' || textOf(chat.lastMessage) !== expectedReply(turn, text)) {
          failures.push(
            `${session.chatId} turn ${turn}: ${chat.status} ${textOf(chat.lastMessage)}`,
          );
        }
        completedTurns += 1;
      }
    });

    const original = [...stack.workers];
    const drainTimesMs: number[] = [];
    const deploy = (async () => {
      // Deploy once every chat is mid-conversation: each has had a turn and has more to come.
      await waitUntil(() => completedTurns >= CHATS, {
        description: 'every chat completed its first turn',
        timeoutMs: 30_000,
      });
      for (const worker of original) {
        const replacement = stack.startWorker();
        const stoppedAt = Date.now();
        const status = await worker.stop(30_000);
        drainTimesMs.push(Date.now() - stoppedAt);
        expect(status).toEqual({ code: 0, signal: null });
        await replacement;
      }
    })();
    await Promise.all([...conversations, deploy]);

    expect(failures).toEqual([]);
    for (const [index, session] of sessions.entries()) {
      const messages = await stack.fetchMessages(session);
      const expected = Array.from({ length: TURNS }, (_, turn) => {
        const text = `chat ${index} message ${turn + 1}`;
        return [text, expectedReply(turn + 1, text)];
      }).flat();
      expect(messages.map(textOf)).toEqual(expected);
    }
    // Every original worker held chats when it was told to stop, and let go of them cleanly.
    for (const worker of original) {
      expect(worker.output(), worker.name).toMatch(/"heldChats":[1-9]\d*,"msg":"draining"/);
    }
    expect(drainTimesMs).toHaveLength(3);
  });
});
