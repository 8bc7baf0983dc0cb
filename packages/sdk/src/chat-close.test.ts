import { streamText, type UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { chat } from './chat.ts';
import { cutReason, MAX_CLOSE_REASON_LENGTH } from './chat-close.ts';
import { MemorySession } from './testing/memory-session.ts';
import { scriptedModel } from './testing/scripted-model.ts';

/** A model that always answers `text`. */
function answering(text: string) {
  return scriptedModel(() => text);
}

const user = (id: string, text: string): UIMessage => ({
  id,
  role: 'user',
  parts: [{ type: 'text', text }],
});

const isBye = (message: UIMessage) =>
  message.parts.some((part) => part.type === 'text' && part.text === 'bye');

const defaults = { idleTimeoutInSeconds: 0 };

describe('chat.close', () => {
  it('closes a chat.agent chat after the turn it was called in completed', async () => {
    const model = answering('goodbye');
    const agent = chat.agent({
      id: 'closing',
      run: ({ messages, signal }) => streamText({ model, messages, abortSignal: signal }),
      onBeforeTurnComplete: ({ uiMessages }) => {
        const lastUser = uiMessages.findLast((message) => message.role === 'user');
        if (lastUser && isBye(lastUser)) chat.close({ reason: 'user said bye' });
      },
    });
    const session = new MemorySession();
    session.send(user('u1', 'hello'));
    session.send(user('u2', 'bye'));
    session.send(user('u3', 'never answered'));

    expect(await agent.runSession(session, defaults)).toBe('closed');
    // The closing turn completed (its output and checkpoint first), then the chat closed.
    expect(session.turns.map((turn) => turn.status)).toEqual(['complete', 'complete']);
    expect(session.messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(session.closedReason).toBe('user said bye');
    expect(session.runEnds).toEqual(['closed']);
    expect(() => session.send(user('u4', 'again'))).toThrow(/SESSION_CLOSED/);
  });

  it('closes a custom agent chat when run returns, after its open turn is completed', async () => {
    let waitAfterClose: unknown;
    const agent = chat.customAgent({
      id: 'closing-custom',
      run: async (payload) => {
        if (payload.trigger === 'preload') return;
        let current = payload;
        for (;;) {
          await chat.pipe(
            streamText({ model: answering('ok'), messages: [{ role: 'user', content: 'x' }] }),
          );
          if (isBye(current.message)) {
            chat.close();
            // A wait after the close takes no message: the loop is told to return.
            waitAfterClose = await chat.messages.wait();
            return;
          }
          const next = await chat.messages.wait();
          if (!next.ok) return;
          current = next.output;
        }
      },
    });
    const session = new MemorySession();
    session.send(user('u1', 'hello'));
    session.send(user('u2', 'bye'));
    session.send(user('u3', 'never answered'));

    expect(await agent.runSession(session, defaults)).toBe('closed');
    expect(waitAfterClose).toEqual({ ok: false, reason: 'closed' });
    expect(session.turns.map((turn) => [turn.turn, turn.status])).toEqual([
      [0, 'complete'],
      [1, 'complete'],
    ]);
    expect(
      session.messages.map((message) => message.id).filter((id) => id.startsWith('u')),
    ).toEqual(['u1', 'u2']);
    expect(session.closedReason).toBeNull();
  });

  it('throws outside an agent run', () => {
    expect(() => chat.close()).toThrow(/outside an agent's run/);
  });

  it('cuts the reason to 256 characters without splitting a surrogate pair', () => {
    expect(cutReason('a'.repeat(300))).toHaveLength(MAX_CLOSE_REASON_LENGTH);
    const emojiAtTheCut = `${'a'.repeat(MAX_CLOSE_REASON_LENGTH - 1)}😀tail`;
    expect(cutReason(emojiAtTheCut)).toBe('a'.repeat(MAX_CLOSE_REASON_LENGTH - 1));
    expect(cutReason('short')).toBe('short');
  });
});
