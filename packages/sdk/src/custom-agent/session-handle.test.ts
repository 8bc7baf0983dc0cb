import type { UIMessage, UIMessageChunk } from 'ai';
import { describe, expect, it } from 'vitest';
import { chat } from '../chat.ts';
import { MemorySession } from '../testing/memory-session.ts';

const user = (id: string): UIMessage => ({ id, role: 'user', parts: [{ type: 'text', text: id }] });

const chunksOf = (...chunks: UIMessageChunk[]) =>
  new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });

describe('chat.session()', () => {
  it("is the run's session handle: out writes the open turn's output, in is the chat's mailbox", async () => {
    const seen: unknown[] = [];
    const agent = chat.customAgent({
      id: 'handle',
      run: async (payload) => {
        if (payload.trigger === 'preload') return;
        const session = chat.session();
        seen.push(['id', session.id]);
        seen.push([
          'pending',
          await session.in.hasPending(),
          (await session.in.peek())?.message.id,
        ]);
        await session.out.append({ type: 'data-status', data: 'working', transient: true });
        await session.out
          .writer({ execute: ({ write }) => write({ type: 'data-progress', data: 50 }) })
          .waitUntilComplete();
        await session.out
          .pipe(
            chunksOf(
              { type: 'text-start', id: 't' },
              { type: 'text-delta', id: 't', delta: 'piped' },
              { type: 'text-end', id: 't' },
            ),
          )
          .waitUntilComplete();
        const heard: string[] = [];
        const subscription = session.in.on((next) => heard.push(next.message.id));
        const next = await session.in.next();
        seen.push(['next', next?.message.id, heard]);
        subscription.off();
        const waited = await session.in.waitWithIdleTimeout({ idleTimeoutInSeconds: 0 });
        seen.push(['wait', waited.ok]);
      },
    });
    const session = new MemorySession({ chatId: 'chat-42' });
    session.send(user('u1'));
    session.send(user('u2'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });

    expect(seen).toEqual([
      ['id', 'chat-42'],
      ['pending', true, 'u2'],
      ['next', 'u2', ['u2']],
      ['wait', false],
    ]);
    expect(session.turns[0]?.chunks).toEqual([
      { type: 'data-status', data: 'working', transient: true },
      { type: 'data-progress', data: 50 },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'piped' },
      { type: 'text-end', id: 't' },
    ]);
    // What goes through `out` is raw output: the client sees it, the history does not keep it.
    expect(session.messages.map((message) => message.id)).toEqual(['u1', 'u2']);
  });

  it('throws a clear error outside a custom agent, and out throws between turns', async () => {
    const errors: string[] = [];
    const managed = chat.agent({
      id: 'managed-handle',
      run: async () => {
        try {
          chat.session();
        } catch (error) {
          errors.push((error as Error).message);
        }
      },
    });
    const managedSession = new MemorySession();
    managedSession.send(user('u1'));
    await managed.runSession(managedSession, { idleTimeoutInSeconds: 0 });

    const custom = chat.customAgent({
      id: 'between-turns',
      run: async () => {
        await chat.writeTurnComplete();
        try {
          await chat.session().out.append({ type: 'data-late', data: 1 });
        } catch (error) {
          errors.push((error as Error).message);
        }
      },
    });
    const customSession = new MemorySession();
    customSession.send(user('u1'));
    await custom.runSession(customSession, { idleTimeoutInSeconds: 0 });

    expect(errors).toEqual([
      expect.stringMatching(/chat\.session is a primitive of custom agents/),
      expect.stringMatching(/needs a turn in progress/),
    ]);
  });
});
