import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chat } from '../chat.ts';
import { MemorySession } from '../testing/memory-session.ts';
import type { ChatTaskWirePayload } from './wire-payload.ts';

const user = (id: string): UIMessage => ({ id, role: 'user', parts: [{ type: 'text', text: id }] });

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

/** What a payload tells: its trigger, message, run and continuation flag. */
const describePayload = (payload: ChatTaskWirePayload) =>
  `${payload.trigger} ${payload.message?.id ?? '-'} ${payload.runId} ${payload.continuation}`;

describe('a preloaded custom agent', () => {
  it('enters run with trigger "preload"; createSession waits for the first message, same run', async () => {
    const entries: string[] = [];
    const turns: string[] = [];
    const agent = chat.customAgent({
      id: 'session-loop',
      run: async (payload, { signal }) => {
        entries.push(describePayload(payload));
        for await (const turn of chat.createSession(payload, { signal })) {
          turns.push(`${turn.number} ${turn.trigger} ${turn.uiMessages.at(-1)?.id}`);
          await reply(`answer ${turn.number}`);
          await turn.done();
        }
      },
    });
    const session = new MemorySession({ preloaded: true, sessionClientData: { userId: 'ada' } });
    session.send(user('u1'));
    session.send(user('u2'));

    expect(await agent.runSession(session, { idleTimeoutInSeconds: 0 })).toBe('suspended');
    // One entry: the preload; both messages were answered by the loop of this run.
    expect(entries).toEqual(['preload - memory-run false']);
    expect(turns).toEqual(['0 submit-message u1', '1 submit-message u2']);
    expect(session.turns.map((turn) => [turn.inputId, turn.status])).toEqual([
      ['0-1', 'complete'],
      ['0-2', 'complete'],
    ]);
  });

  it('hands the session client data to the preload, validated by the schema', async () => {
    const metadata: unknown[] = [];
    const agent = chat.withClientData({ schema: z.object({ userId: z.string() }) }).customAgent({
      id: 'typed-preload',
      run: (payload) => {
        metadata.push([payload.trigger, payload.metadata]);
      },
    });
    await agent.runSession(
      new MemorySession({ preloaded: true, sessionClientData: { userId: 'ada' } }),
      { idleTimeoutInSeconds: 0 },
    );
    // Invalid session client data: no preload entry; the first message enters run as usual.
    const invalid = new MemorySession({ preloaded: true, sessionClientData: { userId: 42 } });
    invalid.send(user('u1'), { clientData: { userId: 'bob' } });
    await agent.runSession(invalid, { idleTimeoutInSeconds: 0 });
    expect(metadata).toEqual([
      ['preload', { userId: 'ada' }],
      ['submit-message', { userId: 'bob' }],
    ]);
  });

  it('re-enters a raw loop that returned from its preload with the first message, not as a continuation', async () => {
    const entries: string[] = [];
    const agent = chat.customAgent({
      id: 'raw-loop',
      run: async (payload) => {
        entries.push(describePayload(payload));
        if (payload.trigger === 'preload') return;
        await reply('hi');
      },
    });
    const session = new MemorySession({ preloaded: true });
    session.send(user('u1'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(entries).toEqual(['preload - memory-run false', 'submit-message u1 memory-run false']);
  });

  it('suspends a preload that no message follows; the first message then enters run in a new run', async () => {
    const entries: string[] = [];
    const agent = chat.customAgent({
      id: 'idle-preload',
      run: async (payload, { signal }) => {
        entries.push(describePayload(payload));
        for await (const turn of chat.createSession(payload, { signal })) {
          await reply(`answer ${turn.number}`);
          await turn.done();
        }
      },
    });
    const session = new MemorySession({ preloaded: true });
    expect(await agent.runSession(session, { idleTimeoutInSeconds: 0 })).toBe('suspended');
    session.send(user('u1'));
    expect(await agent.runSession(session, { idleTimeoutInSeconds: 0 })).toBe('suspended');
    expect(entries).toEqual(['preload - memory-run false', 'submit-message u1 memory-run-2 false']);
    expect(session.turns.map((turn) => turn.status)).toEqual(['complete']);
  });

  it('never enters run with a preload on a chat that was not preloaded', async () => {
    const entries: string[] = [];
    const agent = chat.customAgent({
      id: 'cold',
      run: (payload) => {
        entries.push(describePayload(payload));
      },
    });
    const session = new MemorySession({ sessionClientData: { userId: 'ada' } });
    session.send(user('u1'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(entries).toEqual(['submit-message u1 memory-run false']);
  });
});
