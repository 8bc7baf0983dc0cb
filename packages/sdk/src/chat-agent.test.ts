import { type ModelMessage, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chat } from './chat.ts';
import { MemorySession } from './testing/memory-session.ts';
import { textOf, userMessage } from './testing/messages.ts';
import { mockChatAgent } from './testing/mock-chat-agent.ts';
import { scriptedModel } from './testing/scripted-model.ts';

/** Each call reports 3 input and 5 output tokens. */
const usage = { inputTokens: 3, outputTokens: 5 };

const defaults = { idleTimeoutInSeconds: 0 };

describe('chat.agent', () => {
  it('runs one turn per message on the accumulated history and persists each answer', async () => {
    const model = scriptedModel(['first answer', 'second answer'], { usage });
    const seenMessages: ModelMessage[][] = [];
    const agent = chat.agent({
      id: 'test',
      run: ({ messages, signal }) => {
        seenMessages.push(messages);
        return streamText({ model, messages, abortSignal: signal });
      },
    });
    const session = new MemorySession();
    session.send(userMessage('one'));
    session.send(userMessage('two'));

    expect(await agent.runSession(session, defaults)).toBe('suspended');

    expect(session.turns.map((turn) => [turn.turn, turn.status])).toEqual([
      [0, 'complete'],
      [1, 'complete'],
    ]);
    expect(seenMessages.map((messages) => messages.map((message) => message.role))).toEqual([
      ['user'],
      ['user', 'assistant', 'user'],
    ]);
    expect(session.messages.map(textOf)).toEqual(['one', 'first answer', 'two', 'second answer']);
    expect(session.turns[1]?.end?.keepCount).toBe(2);
    expect(session.totalUsage).toEqual({ inputTokens: 6, outputTokens: 10, totalTokens: 16 });
    const start = session.turns[0]?.chunks[0];
    expect(start).toMatchObject({ type: 'start' });
    expect(session.messages[1]?.id).toBe(start?.type === 'start' ? start.messageId : undefined);
  });

  it('calls the hooks in Trigger.dev order with turn numbers, client data and usage', async () => {
    const model = scriptedModel(['a', 'b'], { usage });
    const calls: string[] = [];
    const agent = chat.agent({
      id: 'test',
      clientDataSchema: z.object({ userId: z.string() }),
      onChatStart: ({ clientData, messages, continuation }) => {
        calls.push(`chat-start ${clientData.userId} ${messages.length} ${continuation}`);
      },
      onTurnStart: ({ turn, previousTurnUsage, totalUsage, uiMessages }) => {
        calls.push(
          `turn-start ${turn} ${previousTurnUsage?.totalTokens ?? '-'} ${totalUsage.totalTokens} ${uiMessages.length}`,
        );
      },
      run: ({ messages, signal, clientData, turn }) => {
        calls.push(`run ${turn} ${clientData.userId}`);
        return streamText({ model, messages, abortSignal: signal });
      },
      onTurnComplete: ({ turn, responseMessage, newUIMessages, usage, totalUsage, stopped }) => {
        calls.push(
          `turn-complete ${turn} ${textOf(responseMessage)} ${newUIMessages.length} ${usage.totalTokens} ${totalUsage.totalTokens} ${stopped}`,
        );
      },
    });
    const session = new MemorySession();
    session.send(userMessage('x'), { clientData: { userId: 'ada' } });
    session.send(userMessage('y'), { clientData: { userId: 'ada' } });
    await agent.runSession(session, defaults);

    expect(calls).toEqual([
      'chat-start ada 1 false',
      'turn-start 0 - 0 1',
      'run 0 ada',
      'turn-complete 0 a 2 8 8 false',
      'turn-start 1 8 8 3',
      'run 1 ada',
      'turn-complete 1 b 2 8 16 false',
    ]);
  });

  it('ends a turn whose run throws with an error chunk and keeps the chat usable', async () => {
    const model = scriptedModel(['recovered']);
    let completed: { error: unknown; turn: number } | undefined;
    const agent = chat.agent({
      id: 'test',
      run: ({ messages, turn }) => {
        if (turn === 0) throw new Error('database is down: secret detail');
        return streamText({ model, messages });
      },
      onTurnComplete: ({ error, turn }) => {
        completed ??= { error, turn };
      },
    });
    const session = new MemorySession();
    session.send(userMessage('first'));
    session.send(userMessage('second'));
    await agent.runSession(session, defaults);

    const [failed, next] = session.turns;
    expect(failed?.status).toBe('error');
    expect(failed?.chunks).toEqual([
      { type: 'error', errorText: 'An error occurred while generating the response.' },
    ]);
    expect(completed?.error).toMatchObject({ message: 'database is down: secret detail' });
    expect(next?.status).toBe('complete');
    expect(session.messages.map(textOf)).toEqual(['first', 'second', 'recovered']);
  });

  it('treats a hook error and invalid client data like a run error', async () => {
    const model = scriptedModel(['fine']);
    const agent = chat.agent({
      id: 'test',
      clientDataSchema: z.object({ plan: z.enum(['free', 'pro']) }),
      onTurnStart: ({ turn }) => {
        if (turn === 1) throw new Error('hook failed');
      },
      run: ({ messages }) => streamText({ model, messages }),
    });
    const session = new MemorySession();
    session.send(userMessage('a'), { clientData: { plan: 'gold' } });
    session.send(userMessage('b'), { clientData: { plan: 'pro' } });
    session.send(userMessage('c'), { clientData: { plan: 'pro' } });
    await agent.runSession(session, defaults);
    expect(session.turns.map((turn) => turn.status)).toEqual(['error', 'error', 'complete']);
    expect(session.messages.map(textOf)).toEqual(['a', 'b', 'c', 'fine']);
  });

  it('stops a turn on request, keeps the cleaned partial answer, and goes on', async () => {
    // The answer hangs after its first words, as a slow model's would, until the stop.
    const model = scriptedModel([{ text: 'one two three', hang: true }, 'after stop']);
    const harness = mockChatAgent(
      chat.agent({
        id: 'test',
        run: ({ messages, signal }) => streamText({ model, messages, abortSignal: signal }),
      }),
    );
    const stopped = harness.sendMessage(userMessage('long'));
    await harness.waitForChunk((chunk) => chunk.type === 'text-delta' && chunk.delta === ' three');
    await harness.sendStop();
    await stopped;
    await harness.sendMessage(userMessage('next'));

    const { session } = harness;
    expect(session.turns.map((turn) => turn.status)).toEqual(['stopped', 'complete']);
    expect(session.turns[0]?.chunks.at(-1)).toMatchObject({ type: 'abort' });
    const partial = session.messages[1];
    expect(textOf(partial)).toBe('one two three');
    expect(partial?.parts.filter((part) => part.type === 'text')).toMatchObject([
      { state: 'done' },
    ]);
    expect(textOf(session.messages[3])).toBe('after stop');
    await harness.close();
  });

  it('replaces an edited user message and everything after it', async () => {
    const model = scriptedModel(['a1', 'a2', 'edited answer']);
    const agent = chat.agent({
      id: 'test',
      run: ({ messages }) => streamText({ model, messages }),
    });
    const session = new MemorySession();
    session.send(userMessage('q1', 'u1'));
    session.send(userMessage('q2', 'u2'));
    session.send(userMessage('q1 edited', 'u1'));
    await agent.runSession(session, defaults);
    expect(session.messages.map(textOf)).toEqual(['q1 edited', 'edited answer']);
    expect(session.turns[2]?.end?.keepCount).toBe(0);
  });
});
