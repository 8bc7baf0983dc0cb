import { describe, expect, it } from 'vitest';
import { chat } from './chat.ts';
import { MemorySession } from './testing/memory-session.ts';
import { textsOf, userMessage } from './testing/messages.ts';
import { scriptedModel } from './testing/scripted-model.ts';

/**
 * The state an agent keeps besides its turns' answers: `chat.local`, `chat.history`,
 * `chat.inject`, `chat.defer`, `chat.endRun`. Each must survive the chat leaving its worker: a
 * second `runSession` on the same MemorySession is the next run, as another worker would start it.
 */

function systemOf(prompt: readonly { role: string; content: unknown }[]): string {
  return prompt
    .filter((message) => message.role === 'system')
    .map((message) => String(message.content))
    .join('\n');
}

const defaults = { idleTimeoutInSeconds: 0 };

const counter = chat.local<{ name: string; turns: number }>({ id: 'test-counter' });

describe('chat.local', () => {
  it('is initialized in a hook, changed in run, and restored by the next run of the chat', async () => {
    const seen: string[] = [];
    const changes: boolean[] = [];
    const model = scriptedModel(['one', 'two', 'three']);
    const agent = chat.agent({
      id: 'locals',
      onChatStart: () => counter.init({ name: 'Ada', turns: 0 }),
      onTurnComplete: () => {
        changes.push(counter.hasChanged());
      },
      run: ({ messages, signal, streamText }) => {
        counter.turns += 1;
        seen.push(`${counter.name}:${counter.turns}`);
        return streamText({ model, messages, abortSignal: signal });
      },
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    session.send(userMessage('b'));
    await agent.runSession(session, defaults);
    // The chat suspended; the next message is answered by a new run (another worker).
    session.send(userMessage('c'));
    await agent.runSession(session, defaults);
    expect(seen).toEqual(['Ada:1', 'Ada:2', 'Ada:3']);
    expect(changes).toEqual([true, true, true]);
    expect(JSON.parse(session.agentState ?? '{}').locals['test-counter']).toEqual({
      name: 'Ada',
      turns: 3,
    });
  });

  it('throws a clear error when read before init, and outside a run', async () => {
    const never = chat.local<{ value: number }>({ id: 'test-never' });
    expect(() => never.value).toThrow(/outside an agent's run/);
    let error: unknown;
    const agent = chat.agent({
      id: 'uninitialized',
      run: () => {
        try {
          void never.value;
        } catch (caught) {
          error = caught;
        }
      },
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    expect(String(error)).toMatch(/read before init/);
    expect(() => chat.local({ id: 'test-never' })).toThrow(/declared twice/);
  });
});

describe('chat.history', () => {
  it('edits in onTurnComplete are checkpointed and are what the next run starts from', async () => {
    const model = scriptedModel(['first', 'second', 'third']);
    const agent = chat.agent({
      id: 'history',
      onTurnComplete: ({ turn }) => {
        // Undo the second exchange once it is answered.
        if (turn === 1) chat.history.slice(0, -2);
      },
      run: ({ messages, signal, streamText }) =>
        streamText({ model, messages, abortSignal: signal }),
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    session.send(userMessage('b'));
    await agent.runSession(session, defaults);
    expect(textsOf(session.messages)).toEqual(['a', 'first']);
    session.send(userMessage('c'));
    await agent.runSession(session, defaults);
    expect(textsOf(session.messages)).toEqual(['a', 'first', 'c', 'third']);
    // The third call saw the edited history, not the undone exchange.
    expect(JSON.stringify(model.prompts[2])).not.toContain('second');
  });

  it('reads the chain, finds messages and pending tool calls, and an edit in onTurnStart reaches run', async () => {
    const model = scriptedModel(['answer']);
    const reads: unknown[] = [];
    const agent = chat.agent({
      id: 'history-reads',
      onTurnStart: () => {
        reads.push(chat.history.all().length, chat.history.findMessage('user-b')?.role);
        reads.push(chat.history.getPendingToolCalls());
        chat.history.remove('user-a');
      },
      run: ({ messages, signal, streamText }) =>
        streamText({ model, messages, abortSignal: signal }),
    });
    const session = new MemorySession({ messages: [userMessage('a')], turns: 1 });
    session.send(userMessage('b'));
    await agent.runSession(session, defaults);
    expect(reads).toEqual([2, 'user', []]);
    expect(JSON.stringify(model.prompts[0])).not.toContain('"a"');
    expect(textsOf(session.messages)).toEqual(['b', 'answer']);
  });

  it('works in a custom agent: chat.setMessages between turns is checkpointed before the suspend', async () => {
    const agent = chat.customAgent({
      id: 'custom-history',
      run: async () => {
        await chat.writeTurnComplete();
        chat.setMessages([userMessage('seed')]);
      },
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    expect(textsOf(session.messages)).toEqual(['seed']);
  });
});

describe('chat.inject and chat.defer', () => {
  it('a system message injected by deferred work in onTurnComplete reaches the next turn on another run', async () => {
    const model = scriptedModel(['one', 'two', 'three']);
    const agent = chat.agent({
      id: 'inject',
      system: 'BASE',
      onTurnComplete: ({ turn }) => {
        if (turn === 0) {
          chat.defer(async () => {
            await new Promise((resolve) => setTimeout(resolve, 20));
            chat.inject([{ role: 'system', content: 'REVIEWED' }]);
          });
        }
      },
      run: ({ messages, signal, streamText }) =>
        streamText({ model, messages, abortSignal: signal }),
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    // The deferred work settled before the suspend; its injection was checkpointed.
    expect(JSON.parse(session.agentState ?? '{}').injections).toEqual([
      { role: 'system', content: 'REVIEWED' },
    ]);
    session.send(userMessage('b'));
    session.send(userMessage('c'));
    await agent.runSession(session, defaults);
    const [first, second, third] = model.prompts.map((prompt) => systemOf(prompt));
    expect(first).toBe('BASE');
    expect(second).toBe('BASE\n\nREVIEWED');
    // One inference call only.
    expect(third).toBe('BASE');
  });

  it('a conversation message injected in onTurnStart joins the messages run gets', async () => {
    const model = scriptedModel(['one']);
    const agent = chat.agent({
      id: 'inject-conversation',
      onTurnStart: () => {
        chat.inject([{ role: 'user', content: 'Context: the account is Pro.' }]);
      },
      run: ({ messages, signal, streamText }) =>
        streamText({ model, messages, abortSignal: signal }),
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    expect(JSON.stringify(model.prompts[0]?.at(-1))).toContain('the account is Pro');
    // Not part of the UI history.
    expect(textsOf(session.messages)).toEqual(['a', 'one']);
  });

  it('awaits deferred work before onTurnComplete', async () => {
    const order: string[] = [];
    const model = scriptedModel(['one']);
    const agent = chat.agent({
      id: 'defer',
      onTurnStart: () => {
        chat.defer(async () => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          order.push('deferred');
        });
      },
      onTurnComplete: () => {
        order.push('onTurnComplete');
      },
      run: ({ messages, signal, streamText }) =>
        streamText({ model, messages, abortSignal: signal }),
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    expect(order).toEqual(['deferred', 'onTurnComplete']);
  });
});

describe('chat.endRun', () => {
  it('ends the run after the turn: no idle wait, the next message is answered by a new run', async () => {
    const model = scriptedModel(['one', 'two']);
    const suspends: number[] = [];
    const agent = chat.agent({
      id: 'one-shot',
      idleTimeoutInSeconds: 3600,
      onChatSuspend: (event) => {
        if (event.phase === 'turn') suspends.push(event.turn);
      },
      run: ({ messages, signal, streamText }) => {
        chat.endRun();
        return streamText({ model, messages, abortSignal: signal });
      },
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    session.send(userMessage('b'));
    await agent.runSession(session, { idleTimeoutInSeconds: 3600 });
    // One turn, then the run let go of the chat with a message waiting: handed back to the pool.
    expect(session.turns).toHaveLength(1);
    expect(session.runEnds).toEqual(['handed-over']);
    expect(suspends).toEqual([0]);
    await agent.runSession(session, defaults);
    expect(textsOf(session.messages)).toEqual(['a', 'one', 'b', 'two']);
  });

  it('checkpoints what onChatSuspend changed, for the run that resumes the chat', async () => {
    const suspended = chat.local<{ at: number }>({ id: 'test-suspended-at' });
    const seen: unknown[] = [];
    const agent = chat.agent({
      id: 'suspend-state',
      onChatSuspend: ({ phase }) => {
        if (phase === 'turn') suspended.init({ at: 42 });
      },
      onChatResume: () => {
        seen.push(suspended.get());
      },
      run: ({ messages, signal, streamText }) =>
        streamText({ model: scriptedModel(['one', 'two']), messages, abortSignal: signal }),
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    session.send(userMessage('b'));
    await agent.runSession(session, defaults);
    expect(seen).toEqual([{ at: 42 }]);
  });
});
