import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chat } from '../chat.ts';
import { MemorySession } from '../testing/memory-session.ts';
import { textsOf, userMessage } from '../testing/messages.ts';
import { scriptedModel } from '../testing/scripted-model.ts';
import { memoryTranscriptStorage } from './memory-transcript-storage.ts';
import type { TranscriptStorage } from './transcript-storage.ts';

const defaults = { idleTimeoutInSeconds: 0 };

describe('chat.agent with a transcript storage', () => {
  it('saves each turn twice: the user message at its start, the answer after it', async () => {
    const storage = memoryTranscriptStorage();
    const agent = chat.agent({
      id: 'stored',
      storage,
      run: ({ messages, signal, streamText }) =>
        streamText({ model: scriptedModel(['first']), messages, abortSignal: signal }),
    });
    const session = new MemorySession({ chatId: 'c1' });
    session.send(userMessage('one'));
    await agent.runSession(session, defaults);
    expect(storage.saves.map(({ changeset }) => changeset.reason)).toEqual([
      'turn-start',
      'turn-complete',
    ]);
    expect(storage.saves[0]?.changeset.changes).toEqual([
      { op: 'put', message: userMessage('one'), final: true },
    ]);
    expect(storage.saves[1]?.changeset.changes.map((change) => change.op)).toEqual(['put']);
    expect(textsOf(storage.rows('c1').map(({ message }) => message))).toEqual(['one', 'first']);
    expect(storage.saves[1]?.context).toMatchObject({
      chatId: 'c1',
      turn: 0,
      trigger: 'submit-message',
    });
  });

  it('an undo action is one truncateAfter; a stopped answer is saved as not final', async () => {
    const storage = memoryTranscriptStorage();
    const model = scriptedModel(['one', { text: 'partial', hang: true }]);
    const agent = chat.agent({
      id: 'stored-actions',
      storage,
      actionSchema: z.object({ type: z.literal('undo') }),
      onAction: () => {
        chat.history.slice(0, -2);
      },
      run: ({ messages, signal, streamText }) =>
        streamText({ model, messages, abortSignal: signal }),
    });
    const session = new MemorySession({ chatId: 'c2' });
    session.send(userMessage('a'));
    session.send(userMessage('b'));
    const running = agent.runSession(session, defaults);
    await model.waitForCalls(2);
    // Stop once the partial answer was written.
    while (!session.turns[1]?.chunks.some((chunk) => chunk.type === 'text-delta')) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    session.stop();
    await running;
    const rows = storage.rows('c2');
    expect(rows.map(({ final }) => final)).toEqual([true, true, true, false]);
    session.send(userMessage('x'), { action: { type: 'undo' } });
    await agent.runSession(session, defaults);
    const last = storage.saves.at(-1);
    expect(last?.changeset.reason).toBe('action');
    expect(last?.changeset.changes).toEqual([
      { op: 'truncateAfter', afterId: rows[1]?.message.id },
    ]);
    expect(textsOf(storage.rows('c2').map(({ message }) => message))).toEqual(['a', 'one']);
  });

  it('loadContext owns the conversation the turn works on', async () => {
    const storage: TranscriptStorage = {
      ...memoryTranscriptStorage(),
      loadContext: async (_scope, { incomingMessages }) => [
        userMessage('from the database', 'db-1'),
        ...incomingMessages,
      ],
    };
    const model = scriptedModel(['ok']);
    const agent = chat.agent({
      id: 'context',
      storage,
      run: ({ messages, signal, streamText }) =>
        streamText({ model, messages, abortSignal: signal }),
    });
    const session = new MemorySession({ messages: [userMessage('old')], turns: 1 });
    session.send(userMessage('new'));
    await agent.runSession(session, defaults);
    expect(JSON.stringify(model.prompts[0])).toContain('from the database');
    expect(JSON.stringify(model.prompts[0])).not.toContain('"old"');
  });

  it('seeds a chat with no checkpoint from load; a failed save goes with the next one', async () => {
    const memory = memoryTranscriptStorage();
    await memory.save(
      { chatId: 'c3', clientData: undefined, turn: 0, trigger: 'submit-message', runId: 'old' },
      {
        reason: 'turn-complete',
        changes: [{ op: 'put', message: userMessage('earlier'), final: true }],
        transcript: { entries: [], state: null },
      },
    );
    let failures = 1;
    const storage: TranscriptStorage = {
      load: (scope, options) => memory.load(scope, options),
      save: async (context, changeset) => {
        if (changeset.reason === 'turn-complete' && failures-- > 0) throw new Error('db down');
        await memory.save(context, changeset);
      },
    };
    const model = scriptedModel(['one', 'two']);
    const agent = chat.agent({
      id: 'seeded',
      storage,
      run: ({ messages, signal, streamText }) =>
        streamText({ model, messages, abortSignal: signal }),
    });
    const session = new MemorySession({ chatId: 'c3' });
    session.send(userMessage('a'));
    session.send(userMessage('b'));
    await agent.runSession(session, defaults);
    expect(JSON.stringify(model.prompts[0])).toContain('earlier');
    // The first turn-complete save failed: its answer went with the second turn's save.
    expect(textsOf(memory.rows('c3').map(({ message }) => message))).toEqual([
      'earlier',
      'a',
      'one',
      'b',
      'two',
    ]);
    expect(textsOf(session.messages)).toEqual(['earlier', 'a', 'one', 'b', 'two']);
  });

  it('refuses storage together with hydrateMessages', () => {
    expect(() =>
      chat.agent({
        id: 'both',
        storage: memoryTranscriptStorage(),
        hydrateMessages: ({ previousMessages }) => previousMessages,
        run: () => undefined,
      }),
    ).toThrow(/cannot be combined with storage/);
  });

  it('a slow turn-start save never lands after the turn-complete save that follows it', async () => {
    const memory = memoryTranscriptStorage();
    const order: string[] = [];
    const storage: TranscriptStorage = {
      load: (scope, options) => memory.load(scope, options),
      save: async (context, changeset) => {
        order.push(`begin ${changeset.reason}`);
        if (changeset.reason === 'turn-start')
          await new Promise((resolve) => setTimeout(resolve, 50));
        await memory.save(context, changeset);
        order.push(`end ${changeset.reason}`);
      },
    };
    const agent = chat.agent({
      id: 'slow-start',
      storage,
      run: ({ messages, signal, streamText }) =>
        streamText({ model: scriptedModel(['answer']), messages, abortSignal: signal }),
    });
    const session = new MemorySession({ chatId: 'c4' });
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    expect(order).toEqual([
      'begin turn-start',
      'end turn-start',
      'begin turn-complete',
      'end turn-complete',
    ]);
    expect(textsOf(memory.rows('c4').map(({ message }) => message))).toEqual(['a', 'answer']);
  });

  it('a run after a failed save brings the storage up to date from what load returns', async () => {
    const memory = memoryTranscriptStorage();
    let isDown = true;
    const storage: TranscriptStorage = {
      load: (scope, options) => memory.load(scope, options),
      save: async (context, changeset) => {
        if (isDown && changeset.reason !== 'turn-start') throw new Error('db down');
        await memory.save(context, changeset);
      },
    };
    const model = scriptedModel(['one', 'two']);
    const agent = chat.agent({
      id: 'behind',
      storage,
      run: ({ messages, signal, streamText }) =>
        streamText({ model, messages, abortSignal: signal }),
    });
    const session = new MemorySession({ chatId: 'c5' });
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    // The answer never reached the storage, and the run ended: the checkpoint says so.
    expect(textsOf(memory.rows('c5').map(({ message }) => message))).toEqual(['a']);
    expect(JSON.parse(session.agentState ?? '{}').transcriptBehind).toBe(true);
    isDown = false;
    session.send(userMessage('b'));
    await agent.runSession(session, defaults);
    expect(textsOf(memory.rows('c5').map(({ message }) => message))).toEqual([
      'a',
      'one',
      'b',
      'two',
    ]);
    expect(JSON.parse(session.agentState ?? '{}').transcriptBehind).toBeUndefined();
  });

  it('loadContext decides what the model sees without cutting the history or the rows', async () => {
    const memory = memoryTranscriptStorage();
    const storage: TranscriptStorage = {
      load: (scope, options) => memory.load(scope, options),
      save: (context, changeset) => memory.save(context, changeset),
      // A window of the last message only.
      loadContext: async (_scope, { incomingMessages }) => incomingMessages,
    };
    const model = scriptedModel(['one', 'two']);
    const agent = chat.agent({
      id: 'window',
      storage,
      run: ({ messages, signal, streamText }) =>
        streamText({ model, messages, abortSignal: signal }),
    });
    const session = new MemorySession({ chatId: 'c6' });
    session.send(userMessage('a'));
    session.send(userMessage('b'));
    await agent.runSession(session, defaults);
    expect(JSON.stringify(model.prompts[1])).not.toContain('"a"');
    expect(textsOf(session.messages)).toEqual(['a', 'one', 'b', 'two']);
    expect(textsOf(memory.rows('c6').map(({ message }) => message))).toEqual([
      'a',
      'one',
      'b',
      'two',
    ]);
  });
});
