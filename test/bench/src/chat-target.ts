import { randomUUID } from 'node:crypto';
import type { BatonStack } from '@baton/testing';
import { type PostTurnOptions, postTurn, type TurnTrace } from './sse-client.ts';

export type SystemName = 'baton' | 'floor';

/** A system under measurement, reached over HTTP with the same client code. */
export type ChatTarget = {
  readonly system: SystemName;
  /** Baton creates a session (not timed); the floor only names a chat. */
  openChat(): Promise<BenchChat>;
};

/**
 * One chat of a target. Each `send` is one turn, whose reply is checked against what the demo
 * model must say: `Turn <n>: you said "<message>". I have seen <k> user messages.` Baton keeps
 * the history, so n = k = the turn's number in the chat; the floor sees one message, so 1 and 1.
 */
export class BenchChat {
  readonly chatId: string;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #hasHistory: boolean;
  #turnCount = 0;

  constructor(options: {
    url: string;
    chatId: string;
    headers?: Record<string, string>;
    hasHistory: boolean;
  }) {
    this.chatId = options.chatId;
    this.#url = options.url;
    this.#headers = options.headers ?? {};
    this.#hasHistory = options.hasHistory;
  }

  /** One turn; `onChunk` sees every chunk as it is read (the recovery bench times them). */
  async send(text: string, options: Pick<PostTurnOptions, 'onChunk'> = {}): Promise<TurnTrace> {
    this.#turnCount += 1;
    const turn = this.#hasHistory ? this.#turnCount : 1;
    const trace = await postTurn({
      url: this.#url,
      headers: this.#headers,
      onChunk: options.onChunk,
      body: {
        id: this.chatId,
        message: { id: `bench-${randomUUID()}`, role: 'user', parts: [{ type: 'text', text }] },
      },
    });
    const expected = `Turn ${turn}: you said "${text.trim()}". I have seen ${turn} user messages.`;
    const problem =
      trace.errorTexts.length > 0
        ? `error chunks: ${trace.errorTexts.join('; ')}`
        : !trace.isDone
          ? 'the stream ended without [DONE]'
          : trace.text !== expected
            ? `wrong reply: ${abbreviate(trace.text)} (expected ${abbreviate(expected)})`
            : undefined;
    if (problem !== undefined) {
      throw new Error(`turn ${this.#turnCount} of chat ${this.chatId} at ${this.#url}: ${problem}`);
    }
    return trace;
  }
}

export function batonTarget(stack: BatonStack): ChatTarget {
  return {
    system: 'baton',
    openChat: async () => {
      const session = await stack.createSession();
      return new BenchChat({
        url: `${stack.gatewayUrl}/api/chat`,
        chatId: session.chatId,
        headers: { authorization: `Bearer ${session.token}` },
        hasHistory: true,
      });
    },
  };
}

export function floorTarget(floorUrl: string): ChatTarget {
  return {
    system: 'floor',
    openChat: async () =>
      new BenchChat({
        url: `${floorUrl}/api/chat`,
        chatId: `floor-${randomUUID()}`,
        hasHistory: false,
      }),
  };
}

function abbreviate(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 60)}…${text.slice(-60)}` : text);
}
