import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chat } from '../chat.ts';
import { MemorySession } from '../testing/memory-session.ts';
import { mockChatAgent } from '../testing/mock-chat-agent.ts';

const user = (id: string): UIMessage => ({ id, role: 'user', parts: [{ type: 'text', text: id }] });

describe('chat.withClientData({ onValidationError, reportErrorAt }).customAgent({ onClientDataValidationError })', () => {
  it('reports each invalid message to both callbacks; the message stays consumed and answered with the error', async () => {
    const reports: unknown[] = [];
    const delivered: string[] = [];
    const agent = chat
      .withClientData({
        schema: z.object({ userId: z.string() }),
        reportErrorAt: 'arrival',
        onValidationError: (event) => {
          reports.push(['builder', event.message?.id, event.clientData]);
        },
      })
      .customAgent({
        id: 'validated',
        onClientDataValidationError: ({ error, chatId, trigger, message }) => {
          reports.push(['agent', message?.id, chatId, trigger, (error as Error).message]);
        },
        run: async (payload) => {
          if (payload.trigger === 'preload') return;
          delivered.push(payload.message.id);
          for (;;) {
            const next = await chat.messages.wait();
            if (!next.ok) return;
            delivered.push(next.output.message.id);
          }
        },
      });
    const harness = mockChatAgent(agent, { chatId: 'validated-chat' });
    try {
      await harness.sendMessage(user('u1'), { clientData: { userId: 'ada' } });
      const invalid = await harness.sendMessage(user('u2'), { clientData: { userId: 42 } });
      await harness.sendMessage(user('u3'), { clientData: { userId: 'bob' } });

      expect(invalid.status).toBe('error');
      expect(invalid.chunks).toEqual([
        { type: 'error', errorText: expect.stringMatching(/^Invalid client data/) },
      ]);
      expect(delivered).toEqual(['u1', 'u3']);
      // The builder's callback first, then the agent's: once each, for the invalid message only.
      expect(reports).toEqual([
        ['builder', 'u2', { userId: 42 }],
        [
          'agent',
          'u2',
          'validated-chat',
          'submit-message',
          expect.stringMatching(/^invalid client data: /),
        ],
      ]);
      expect(harness.messages.map((message) => message.id)).toEqual(['u1', 'u3']);
    } finally {
      await harness.close();
    }
  });

  it('reports invalid session client data of a preload, and a failing callback changes nothing', async () => {
    const reports: unknown[] = [];
    const entries: string[] = [];
    const agent = chat.withClientData({ schema: z.object({ userId: z.string() }) }).customAgent({
      id: 'validated-preload',
      onClientDataValidationError: ({ trigger, clientData }) => {
        reports.push([trigger, clientData]);
        throw new Error('the callback failed');
      },
      run: (payload) => {
        entries.push(payload.trigger === 'preload' ? 'preload' : payload.message.id);
      },
    });
    const session = new MemorySession({ preloaded: true, sessionClientData: { userId: 42 } });
    session.send(user('u1'), { clientData: { userId: 7 } });
    session.send(user('u2'), { clientData: { userId: 'bob' } });
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });

    expect(reports).toEqual([
      ['preload', { userId: 42 }],
      ['submit-message', { userId: 7 }],
    ]);
    expect(entries).toEqual(['u2']);
    expect(session.turns.map((turn) => turn.status)).toEqual(['error', 'complete']);
  });
});
