import { streamText, type UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { chat } from '../chat.ts';
import { MemorySession } from '../testing/memory-session.ts';
import { type ScriptedModel, scriptedModel } from '../testing/scripted-model.ts';
import type { ChatTaskWirePayload } from './wire-payload.ts';

/** A model that answers with the number of user messages it was given. */
function countingModel() {
  return scriptedModel((call) => {
    const users = call.prompt.filter((message) => message.role === 'user').length;
    return `I see ${users} user messages.`;
  });
}

const user = (id: string, text: string): UIMessage => ({
  id,
  role: 'user',
  parts: [{ type: 'text', text }],
});

/** Trigger.dev's hand-rolled loop of the custom-agents page, without its database calls. */
function handRolled(model: ScriptedModel) {
  return chat.customAgent({
    id: 'raw',
    run: async (payload: ChatTaskWirePayload, { signal: runSignal }) => {
      let currentPayload = payload;
      const stop = chat.createStopSignal();
      const conversation = new chat.MessageAccumulator();
      for (let turn = 0; turn < 100; turn++) {
        stop.reset();
        const incoming = currentPayload.message ? [currentPayload.message] : [];
        const messages = await conversation.addIncoming(incoming, currentPayload.trigger, turn);
        const combinedSignal = AbortSignal.any([runSignal, stop.signal]);
        const result = streamText({ model, messages, abortSignal: combinedSignal });
        const { message, status, error } = await chat.pipeAndCapture(result, {
          signal: combinedSignal,
        });
        if (status === 'error') throw error;
        if (message) {
          const cleaned =
            stop.signal.aborted && !runSignal.aborted ? chat.cleanupAbortedParts(message) : message;
          await conversation.addResponse(cleaned);
        }
        if (runSignal.aborted) break;
        await chat.writeTurnComplete();
        const next = await chat.messages.waitWithIdleTimeout({ idleTimeoutInSeconds: 60 });
        if (!next.ok) break;
        currentPayload = next.output;
      }
      stop.cleanup();
    },
  });
}

const texts = (messages: UIMessage[]) =>
  messages.map((message) =>
    message.parts.map((part) => (part.type === 'text' ? part.text : '')).join(''),
  );

describe('chat.customAgent with a hand-rolled loop', () => {
  it('answers each message in its own turn and checkpoints the whole history', async () => {
    const model = countingModel();
    const session = new MemorySession();
    session.send(user('u1', 'one'));
    session.send(user('u2', 'two'));
    expect(await handRolled(model).runSession(session, { idleTimeoutInSeconds: 0 })).toBe(
      'suspended',
    );
    expect(session.turns.map((turn) => [turn.turn, turn.status])).toEqual([
      [0, 'complete'],
      [1, 'complete'],
    ]);
    expect(texts(session.messages)).toEqual([
      'one',
      'I see 1 user messages.',
      'two',
      'I see 2 user messages.',
    ]);
  });

  it('starts again from the checkpoint when the next message re-enters run on another worker', async () => {
    const first = new MemorySession();
    first.send(user('u1', 'one'));
    await handRolled(countingModel()).runSession(first, { idleTimeoutInSeconds: 0 });

    // The chat suspended; the next message is run by a fresh run (another worker, maybe).
    const model = countingModel();
    const resumed = new MemorySession({ messages: first.messages, turns: 1 });
    resumed.send(user('u2', 'two'));
    await handRolled(model).runSession(resumed, { idleTimeoutInSeconds: 0 });
    expect(resumed.turns.map((turn) => turn.turn)).toEqual([1]);
    expect(texts(resumed.messages).at(-1)).toBe('I see 2 user messages.');
    expect(resumed.messages.map((message) => message.id).slice(0, 3)).toEqual([
      'u1',
      expect.any(String),
      'u2',
    ]);
  });

  it('gives a response whose start chunk has no message id one, so each answer is kept', async () => {
    const agent = chat.customAgent({
      id: 'raw-chunks',
      run: async (payload) => {
        if (payload.trigger === 'preload') return;
        let current = payload;
        for (;;) {
          const text = `re ${current.message.id}`;
          await chat.pipe(
            new ReadableStream({
              start(controller) {
                controller.enqueue({ type: 'start' });
                controller.enqueue({ type: 'text-start', id: 't' });
                controller.enqueue({ type: 'text-delta', id: 't', delta: text });
                controller.enqueue({ type: 'text-end', id: 't' });
                controller.enqueue({ type: 'finish' });
                controller.close();
              },
            }),
          );
          const next = await chat.messages.wait();
          if (!next.ok) return;
          current = next.output;
        }
      },
    });
    const session = new MemorySession();
    session.send(user('u1', 'one'));
    session.send(user('u2', 'two'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(texts(session.messages)).toEqual(['one', 're u1', 'two', 're u2']);
    // The client gets the id the history keeps.
    const start = session.turns[0]?.chunks[0];
    expect(start).toEqual({ type: 'start', messageId: session.messages[1]?.id });
    expect(session.messages[1]?.id).toMatch(/^msg-/);
  });

  it('ends a turn whose run throws with an error chunk, and answers the next message', async () => {
    let calls = 0;
    const model = countingModel();
    const agent = chat.customAgent({
      id: 'flaky',
      run: async (payload) => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        const conversation = new chat.MessageAccumulator();
        const incoming = payload.message ? [payload.message] : [];
        const messages = await conversation.addIncoming(incoming, payload.trigger, 0);
        await chat.pipeAndCapture(streamText({ model, messages }));
      },
    });
    const session = new MemorySession();
    session.send(user('u1', 'one'));
    session.send(user('u2', 'two'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(session.turns.map((turn) => turn.status)).toEqual(['error', 'complete']);
    expect(session.turns[0]?.chunks).toEqual([
      { type: 'error', errorText: 'An error occurred while generating the response.' },
    ]);
    // The failed turn's message stays in the history; the next answer sees it once.
    expect(texts(session.messages)).toEqual(['one', 'two', 'I see 2 user messages.']);
  });

  it('waits as long as chat.setIdleTimeoutInSeconds says', async () => {
    const waits: number[] = [];
    const session = new MemorySession();
    const waitForMessage = session.waitForMessage.bind(session);
    session.waitForMessage = (options) => {
      waits.push(options?.idleTimeoutMs ?? Number.NaN);
      return waitForMessage(options);
    };
    const agent = chat.customAgent({
      id: 'settings',
      idleTimeoutInSeconds: 5,
      run: async () => {
        chat.setIdleTimeoutInSeconds(42);
        await chat.messages.wait();
      },
    });
    session.send(user('u1', 'one'));
    await agent.runSession(session, { idleTimeoutInSeconds: 30 });
    // The first message was taken with the agent's wait; the agent's own wait used its setting.
    expect(waits).toEqual([5_000, 42_000]);
  });

  it('refuses a primitive outside a run with a clear error', async () => {
    await expect(chat.writeTurnComplete()).rejects.toThrow(/outside an agent's run/);
  });
});

describe('MessageAccumulator outside a run', () => {
  it('keeps Trigger.dev’s rule: turn 0 and regenerate replace, other turns append', async () => {
    const conversation = new chat.MessageAccumulator();
    await conversation.addIncoming([user('a', 'a')], 'submit-message', 0);
    await conversation.addIncoming([user('b', 'b')], 'submit-message', 1);
    expect(conversation.uiMessages.map((message) => message.id)).toEqual(['a', 'b']);
    await conversation.addIncoming([user('c', 'c')], 'regenerate-message', 2);
    expect(conversation.uiMessages.map((message) => message.id)).toEqual(['c']);
    expect(conversation.modelMessages).toHaveLength(1);
  });
});

describe('chat.createSession', () => {
  it('yields each message as a turn with the whole conversation, and counts usage', async () => {
    const model = countingModel();
    const seen: { number: number; users: number; previous: number | undefined }[] = [];
    const agent = chat.customAgent({
      id: 'managed',
      run: async (payload, { signal }) => {
        for await (const turn of chat.createSession(payload, { signal })) {
          seen.push({
            number: turn.number,
            users: turn.uiMessages.filter((message) => message.role === 'user').length,
            previous: turn.previousTurnUsage?.totalTokens,
          });
          await turn.complete(
            streamText({ model, messages: turn.messages, abortSignal: turn.signal }),
          );
        }
      },
    });
    const session = new MemorySession();
    session.send(user('u1', 'one'));
    session.send(user('u2', 'two'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(seen).toEqual([
      { number: 0, users: 1, previous: undefined },
      { number: 1, users: 2, previous: 2 },
    ]);
    expect(texts(session.messages)).toEqual([
      'one',
      'I see 1 user messages.',
      'two',
      'I see 2 user messages.',
    ]);
    expect(session.totalUsage.totalTokens).toBe(4);
  });

  it('marks a stopped turn, keeps its cleaned partial, and goes on with the next message', async () => {
    const model = countingModel();
    const stopped: boolean[] = [];
    const session = new MemorySession();
    const agent = chat.customAgent({
      id: 'stoppable',
      run: async (payload, { signal }) => {
        for await (const turn of chat.createSession(payload, { signal })) {
          if (turn.number === 0) session.stop();
          await turn.complete(
            streamText({ model, messages: turn.messages, abortSignal: turn.signal }),
          );
          stopped.push(turn.stopped);
        }
      },
    });
    session.send(user('u1', 'one'));
    session.send(user('u2', 'two'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(stopped).toEqual([true, false]);
    expect(session.turns.map((turn) => turn.status)).toEqual(['stopped', 'complete']);
    expect(texts(session.messages).at(-1)).toBe('I see 2 user messages.');
  });
});
