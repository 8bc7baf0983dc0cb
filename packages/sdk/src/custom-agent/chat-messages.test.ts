import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { chat } from '../chat.ts';
import { MemorySession } from '../testing/memory-session.ts';
import type { ChatTaskMessagePayload } from './wire-payload.ts';

const user = (id: string, text: string): UIMessage => ({
  id,
  role: 'user',
  parts: [{ type: 'text', text }],
});

const reply = async (text: string) => {
  await chat.pipe(
    new ReadableStream({
      start(controller) {
        controller.enqueue({ type: 'text-start', id: text });
        controller.enqueue({ type: 'text-delta', id: text, delta: text });
        controller.enqueue({ type: 'text-end', id: text });
        controller.close();
      },
    }),
  );
};

describe('chat.messages as a mailbox', () => {
  it('peeks, checks and takes waiting messages without waiting, each in its own turn', async () => {
    const seen: unknown[] = [];
    const agent = chat.customAgent({
      id: 'mailbox',
      run: async (payload) => {
        seen.push(['run', payload.message?.id]);
        const heard: string[] = [];
        const unsubscribe = chat.messages.on((next) => heard.push(next.message.id));
        seen.push(['peek', (await chat.messages.peek())?.message.id]);
        seen.push(['hasPending', await chat.messages.hasPending()]);
        // Peeking takes nothing: the same message waits.
        seen.push(['peek again', (await chat.messages.peek())?.message.id]);
        const taken = await chat.messages.next();
        seen.push(['next', taken?.message.id]);
        seen.push(['hasPending', await chat.messages.hasPending()]);
        seen.push(['next', (await chat.messages.next())?.message.id]);
        seen.push(['heard', [...heard]]);
        unsubscribe();
      },
    });
    const session = new MemorySession();
    session.send(user('u1', 'one'));
    session.send(user('u2', 'two'));

    expect(await agent.runSession(session, { idleTimeoutInSeconds: 0 })).toBe('suspended');
    expect(seen).toEqual([
      ['run', 'u1'],
      ['peek', 'u2'],
      ['hasPending', true],
      ['peek again', 'u2'],
      ['next', 'u2'],
      ['hasPending', false],
      ['next', undefined],
      ['heard', ['u2']],
    ]);
    // Taking u2 completed u1's turn and opened u2's, as a wait does.
    expect(session.turns.map((turn) => [turn.turn, turn.inputId, turn.status])).toEqual([
      [0, '0-1', 'complete'],
      [1, '0-2', 'complete'],
    ]);
  });

  it('calls once listeners with the next message only, and on listeners until unsubscribed', async () => {
    const onceHeard: string[] = [];
    const onHeard: string[] = [];
    const agent = chat.customAgent({
      id: 'listeners',
      run: async () => {
        chat.messages.once((payload: ChatTaskMessagePayload) => onceHeard.push(payload.message.id));
        const unsubscribe = chat.messages.on((payload) => onHeard.push(payload.message.id));
        await reply('a');
        await chat.messages.wait();
        await reply('b');
        await chat.messages.wait();
        unsubscribe();
        await chat.messages.wait();
      },
    });
    const session = new MemorySession();
    for (const id of ['u1', 'u2', 'u3', 'u4']) session.send(user(id, id));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(onceHeard).toEqual(['u2']);
    expect(onHeard).toEqual(['u2', 'u3']);
  });
});
