import type { UIMessage } from 'ai';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { chat } from './chat.ts';
import { MemorySession } from './testing/memory-session.ts';

const user = (id: string): UIMessage => ({ id, role: 'user', parts: [{ type: 'text', text: id }] });

describe('chat.withClientData(...).customAgent', () => {
  it('delivers valid client data typed by the schema and answers invalid data with an error', async () => {
    const delivered: Array<{ id: string; userId: string }> = [];
    const agent = chat.withClientData({ schema: z.object({ userId: z.string() }) }).customAgent({
      id: 'typed',
      run: async (payload) => {
        expectTypeOf(payload.metadata).toEqualTypeOf<{ userId: string }>();
        if (payload.trigger === 'preload') return;
        delivered.push({ id: payload.message.id, userId: payload.metadata.userId });
        for (;;) {
          const next = await chat.messages.wait();
          if (!next.ok) return;
          // Validated all the same; `chat.messages` is not typed by the builder's schema.
          const metadata = next.output.metadata as { userId: string };
          delivered.push({ id: next.output.message.id, userId: metadata.userId });
        }
      },
    });
    const session = new MemorySession();
    session.send(user('u1'), { clientData: { userId: 'ada' } });
    session.send(user('u2'), { clientData: { userId: 42 } });
    session.send(user('u3'));
    session.send(user('u4'), { clientData: { userId: 'bob' } });

    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(delivered).toEqual([
      { id: 'u1', userId: 'ada' },
      { id: 'u4', userId: 'bob' },
    ]);
    // Each invalid message was consumed with its own turn: an error, then turn-complete.
    expect(session.turns.map((turn) => [turn.inputId, turn.status])).toEqual([
      ['0-1', 'complete'],
      ['0-2', 'error'],
      ['0-3', 'error'],
      ['0-4', 'complete'],
    ]);
    expect(session.turns[1]?.chunks).toEqual([
      { type: 'error', errorText: expect.stringMatching(/^Invalid client data/) },
    ]);
    // The refused messages never entered the history.
    expect(session.messages.map((message) => message.id)).toEqual(['u1', 'u4']);
  });
});
