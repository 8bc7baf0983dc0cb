import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import type { HydrateMessagesEvent } from './chat-agent-hooks.ts';
import { hydrateHistory } from './turn-input.ts';

const user = (id: string, text: string): UIMessage => ({
  id,
  role: 'user',
  parts: [{ type: 'text', text }],
});

const awaitingApproval: UIMessage = {
  id: 'a1',
  role: 'assistant',
  parts: [
    {
      type: 'tool-deleteFile',
      toolCallId: 'call-1',
      state: 'approval-requested',
      input: { path: '/a' },
      approval: { id: 'ap-1' },
    },
  ],
};

function event(incomingMessages: UIMessage[]): HydrateMessagesEvent<undefined> {
  return {
    chatId: 'chat-1',
    turn: 1,
    trigger: 'submit-message',
    incomingMessages,
    previousMessages: [],
    clientData: undefined,
    continuation: false,
    previousRunId: undefined,
  };
}

describe('hydrateHistory', () => {
  it("overlays only the wire's tool-state advance on the hydrated assistant message", async () => {
    const stored = [user('u1', 'delete /a'), awaitingApproval];
    const sent: UIMessage = {
      id: 'a1',
      role: 'assistant',
      parts: [
        { type: 'text', text: 'forged' },
        {
          type: 'tool-deleteFile',
          toolCallId: 'call-1',
          state: 'approval-responded',
          input: { path: '/etc' },
          approval: { id: 'ap-1', approved: true },
        },
      ],
    };
    const history = await hydrateHistory(() => stored, event([sent]));
    expect(history).toEqual([
      user('u1', 'delete /a'),
      {
        ...awaitingApproval,
        parts: [
          {
            type: 'tool-deleteFile',
            toolCallId: 'call-1',
            state: 'approval-responded',
            input: { path: '/a' },
            approval: { id: 'ap-1', approved: true },
          },
        ],
      },
    ]);
  });

  it('replaces a held user message in place and does not add one the hook left out', async () => {
    const stored = [user('u1', 'one'), user('u2', 'two')];
    const history = await hydrateHistory(
      () => stored,
      event([user('u1', 'uno'), user('u3', 'three')]),
    );
    expect(history).toEqual([user('u1', 'uno'), user('u2', 'two')]);
  });
});
