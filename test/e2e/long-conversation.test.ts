import { type BatonStack, startBatonStack, textOf } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The stock DefaultChatTransport posts the whole history on every turn. The gateway limits only
// the new message, so a conversation far past the message limit (1 MiB by default) goes on: before
// that, a chat of ~80 KB messages got 413 PAYLOAD_TOO_LARGE on its eighth turn.

const USER_MESSAGE_BYTES = 160 * 1024;
const WORD_BYTES = 512;
const TURNS = 11;
const CONVERSATION_BYTES = 3 * 1024 * 1024;

let stack: BatonStack;

beforeAll(async () => {
  stack = await startBatonStack({ workers: 1, env: { BATON_DEMO_DELAY_MS: '0' } });
});

afterAll(async () => {
  await stack?.stop();
});

/** About `USER_MESSAGE_BYTES` of words: the demo model echoes them in a few hundred deltas. */
function longText(turn: number): string {
  const wordCount = Math.ceil(USER_MESSAGE_BYTES / WORD_BYTES);
  return Array.from({ length: wordCount }, (_, index) =>
    `turn${turn}-word${index}-`.padEnd(WORD_BYTES - 1, String.fromCharCode(97 + (index % 26))),
  ).join(' ');
}

describe('a conversation past 3 MB through the unmodified stock transport', () => {
  it('answers every turn and persists the whole history', async () => {
    const session = await stack.createSession();
    const requestBytes: number[] = [];
    const chat = stack.openChat(session, {
      isSlim: false,
      // Only measures: the stock transport's request goes out untouched.
      fetch: async (input, init) => {
        if (init?.method === 'POST' && typeof init.body === 'string') {
          requestBytes.push(Buffer.byteLength(init.body));
        }
        return fetch(input, init);
      },
    });

    for (let turn = 1; turn <= TURNS; turn += 1) {
      const text = longText(turn);
      await chat.sendMessage({ text });
      expect(chat.status, `turn ${turn}: ${chat.error?.message}`).toBe('ready');
      expect(textOf(chat.lastMessage), `turn ${turn}`).toBe(
        `Turn ${turn}: you said "${text}". I have seen ${turn} user messages.`,
      );
    }

    expect(requestBytes).toHaveLength(TURNS);
    expect(Math.max(...requestBytes)).toBeGreaterThan(CONVERSATION_BYTES);
    const persisted = await stack.fetchMessages(session);
    expect(persisted).toHaveLength(2 * TURNS);
    expect(persisted.map((message) => message.id)).toEqual(
      chat.messages.map((message) => message.id),
    );
    expect(persisted.map(textOf)).toEqual(chat.messages.map(textOf));
  });
});
