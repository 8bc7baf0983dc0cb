import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { chat } from '../chat.ts';
import { MemorySession } from '../testing/memory-session.ts';
import type { ChatTaskMessagePayload } from './wire-payload.ts';

const user = (id: string, text = id): UIMessage => ({
  id,
  role: 'user',
  parts: [{ type: 'text', text }],
});

const reply = async (text: string) => {
  await chat.pipe(
    new ReadableStream({
      start(controller) {
        controller.enqueue({ type: 'start', messageId: `answer-${text}` });
        controller.enqueue({ type: 'text-start', id: text });
        controller.enqueue({ type: 'text-delta', id: text, delta: text });
        controller.enqueue({ type: 'text-end', id: text });
        controller.enqueue({ type: 'finish' });
        controller.close();
      },
    }),
  );
};

const textOf = (message: UIMessage) =>
  message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('');

const describePayload = (payload: ChatTaskMessagePayload) =>
  `${payload.message.id} ${payload.runId} continuation=${payload.continuation}`;

/**
 * Trigger.dev's hand-rolled loop of the "Rotating to a new deployment" section: a message saying
 * "rotate" is answered, its turn completed, and the chat handed to a fresh run.
 */
function rotatingAgent(entries: string[]) {
  return chat.customAgent({
    id: 'rotating',
    run: async (payload) => {
      if (payload.trigger === 'preload') return;
      let current = payload;
      for (;;) {
        entries.push(describePayload(current));
        await reply(`re ${textOf(current.message)}`);
        if (textOf(current.message) === 'rotate') {
          await chat.writeTurnComplete();
          await chat.endAndContinue();
          return;
        }
        await chat.writeTurnComplete();
        const next = await chat.messages.waitWithIdleTimeout();
        if (!next.ok) return;
        current = next.output;
      }
    },
  });
}

describe('chat.endAndContinue', () => {
  it('hands the chat to a fresh run at once: a waiting message is answered there, as a continuation', async () => {
    const entries: string[] = [];
    const agent = rotatingAgent(entries);
    const session = new MemorySession();
    session.send(user('u1', 'rotate'));
    session.send(user('u2', 'hello'));

    // The waiting message does not keep the chat on this run.
    expect(await agent.runSession(session, { idleTimeoutInSeconds: 60 })).toBe('handed-over');
    expect(entries).toEqual(['u1 memory-run continuation=false']);
    expect(session.turns.map((turn) => [turn.inputId, turn.status])).toEqual([['0-1', 'complete']]);

    expect(await agent.runSession(session, { idleTimeoutInSeconds: 0 })).toBe('suspended');
    expect(entries.at(-1)).toBe('u2 memory-run-2 continuation=true');

    // Only the run right after the handoff is a continuation: a later idle resume is not.
    session.send(user('u3', 'again'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(entries.at(-1)).toBe('u3 memory-run-3 continuation=false');
    expect(session.messages.map(textOf)).toEqual([
      'rotate',
      're rotate',
      'hello',
      're hello',
      'again',
      're again',
    ]);
    expect(session.turns.map((turn) => turn.turn)).toEqual([0, 1, 2]);
  });

  it('ends the run without waiting when no message waits; the next message starts a continuation run', async () => {
    const entries: string[] = [];
    const agent = rotatingAgent(entries);
    const session = new MemorySession();
    session.send(user('u1', 'rotate'));
    expect(await agent.runSession(session, { idleTimeoutInSeconds: 60 })).toBe('suspended');

    session.send(user('u2', 'hello'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(entries).toEqual([
      'u1 memory-run continuation=false',
      'u2 memory-run-2 continuation=true',
    ]);
    expect(session.runEnds).toEqual(['suspended', 'suspended']);
  });

  it('checkpoints chat.local values and history edits made between turns for the next run', async () => {
    const counter = chat.local<{ count: number }>({ id: 'counter' });
    const seen: unknown[] = [];
    const agent = chat.customAgent({
      id: 'rotating-state',
      run: async (payload) => {
        if (payload.trigger === 'preload') return;
        if (payload.message.id === 'u1') counter.init({ count: 1 });
        seen.push([payload.message.id, payload.continuation, counter.count]);
        await reply('answer');
        await chat.writeTurnComplete();
        if (payload.message.id === 'u1') {
          counter.count = 2;
          chat.history.set([...chat.history.all(), user('note')]);
          await chat.endAndContinue();
          // The run let go of the chat: no message for it any more.
          seen.push(await chat.messages.wait());
          seen.push(await chat.messages.next());
        }
      },
    });
    const session = new MemorySession();
    session.send(user('u1'));
    expect(await agent.runSession(session, { idleTimeoutInSeconds: 60 })).toBe('suspended');
    expect(session.messages.map((message) => message.id)).toEqual(['u1', 'answer-answer', 'note']);

    session.send(user('u2'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(seen).toEqual([
      ['u1', false, 1],
      { ok: false, reason: 'suspended' },
      undefined,
      ['u2', true, 2],
    ]);
  });

  it('works from a chat.createSession loop', async () => {
    const turns: unknown[] = [];
    const agent = chat.customAgent({
      id: 'rotating-session',
      run: async (payload, { signal }) => {
        for await (const turn of chat.createSession(payload, { signal })) {
          turns.push([turn.number, turn.continuation, turn.uiMessages.length]);
          await reply(`answer ${turn.number}`);
          // No `turn.done()`: the handoff completes the turn left open.
          await chat.endAndContinue();
          return;
        }
      },
    });
    const session = new MemorySession();
    session.send(user('u1'));
    session.send(user('u2'));
    expect(await agent.runSession(session, { idleTimeoutInSeconds: 60 })).toBe('handed-over');
    expect(await agent.runSession(session, { idleTimeoutInSeconds: 60 })).toBe('suspended');
    // The fresh run starts from the checkpoint: turn numbers and history continue.
    expect(session.turns.map((turn) => turn.status)).toEqual(['complete', 'complete']);
    expect(turns).toEqual([
      [0, false, 1],
      [1, true, 3],
    ]);
  });

  it('throws outside a custom agent', async () => {
    const errors: string[] = [];
    const agent = chat.agent({
      id: 'managed',
      run: async () => {
        try {
          await chat.endAndContinue();
        } catch (error) {
          errors.push((error as Error).message);
        }
      },
    });
    const session = new MemorySession();
    session.send(user('u1'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(errors).toEqual([expect.stringMatching(/primitive of custom agents/)]);
    await expect(chat.endAndContinue()).rejects.toThrow(/outside an agent's run/);
  });
});

describe('chat.endRun in a custom agent', () => {
  it('ends the run at its next wait: a waiting message goes to a new run, not as a continuation', async () => {
    const entries: string[] = [];
    const agent = chat.customAgent({
      id: 'ending',
      run: async (payload) => {
        if (payload.trigger === 'preload') return;
        let current = payload;
        for (;;) {
          entries.push(describePayload(current));
          await reply('answer');
          chat.endRun();
          const next = await chat.messages.waitWithIdleTimeout();
          if (!next.ok) return;
          current = next.output;
        }
      },
    });
    const session = new MemorySession();
    session.send(user('u1'));
    session.send(user('u2'));
    expect(await agent.runSession(session, { idleTimeoutInSeconds: 60 })).toBe('handed-over');
    expect(await agent.runSession(session, { idleTimeoutInSeconds: 60 })).toBe('suspended');
    expect(entries).toEqual([
      'u1 memory-run continuation=false',
      'u2 memory-run-2 continuation=false',
    ]);
    expect(session.turns.map((turn) => turn.status)).toEqual(['complete', 'complete']);
  });
});
