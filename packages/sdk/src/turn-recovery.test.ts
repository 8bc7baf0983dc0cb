import { readUIMessageStream, streamText, tool, type UIMessage, type UIMessageChunk } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chat } from './chat.ts';
import { MemorySession } from './testing/memory-session.ts';
import { type ScriptedModel, scriptedModel } from './testing/scripted-model.ts';

// docs/architecture.md, "Recovery": a turn whose run died is continued in the same assistant
// message; the finished steps are kept (their tools never run again), the unfinished one is
// dropped with a `reset-step`, and a client that watched every attempt ends with an uninterrupted
// run's message.

/** A model that answers every call with `text`. */
function textModel(text: string) {
  return scriptedModel(() => text);
}

const user: UIMessage = { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'weather?' }] };
const DEAD_ID = 'msg-dead';

/** What a client that watched the dead attempts and the recovery holds at the end. */
async function clientView(chunks: UIMessageChunk[]): Promise<UIMessage | undefined> {
  let message: UIMessage | undefined;
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  for await (const snapshot of readUIMessageStream({ stream })) message = snapshot;
  return message;
}

function runWith(
  model: ScriptedModel,
  executions: string[] = [],
  recovery?: Parameters<typeof chat.agent>[0]['recovery'],
) {
  return chat.agent({
    id: 'test',
    ...(recovery ? { recovery } : {}),
    tools: {
      getWeather: tool({
        inputSchema: z.object({ city: z.string() }),
        execute: async ({ city }, { toolCallId }) => {
          executions.push(toolCallId);
          return { city, condition: 'sunny' };
        },
      }),
    },
    run: ({ messages, tools, signal }) =>
      streamText({ model, messages, tools, abortSignal: signal }),
  });
}

describe('recovering a turn', () => {
  it('continues a turn that died mid-text in the same message, as if never interrupted', async () => {
    const model = textModel('Sunny all day.');
    const dead: UIMessageChunk[] = [
      { type: 'start', messageId: DEAD_ID },
      { type: 'start-step' },
      { type: 'text-start', id: 'text-0' },
      { type: 'text-delta', id: 'text-0', delta: 'Sun' },
    ];
    const session = new MemorySession();
    session.send(user, { recovery: { attempt: 1, chunks: dead } });
    await runWith(model).runSession(session, { idleTimeoutInSeconds: 0 });

    const [turn] = session.turns;
    expect(turn?.status).toBe('complete');
    expect(turn?.chunks[0]).toEqual({ type: 'reset-step' });
    expect(turn?.chunks.filter((chunk) => chunk.type === 'start-step')).toEqual([]);
    const expected = {
      id: DEAD_ID,
      role: 'assistant',
      parts: [{ type: 'step-start' }, { type: 'text', text: 'Sunny all day.', state: 'done' }],
    };
    expect(session.messages).toEqual([user, expected]);
    expect(await clientView([...dead, ...(turn?.chunks ?? [])])).toMatchObject(expected);
    expect(model.doStreamCalls[0]?.prompt.map((message) => message.role)).toEqual(['user']);
  });

  it('keeps a finished tool step without running its tool again', async () => {
    const model = textModel('It is sunny in Oslo.');
    const executions: string[] = [];
    const dead: UIMessageChunk[] = [
      { type: 'start', messageId: DEAD_ID },
      { type: 'start-step' },
      { type: 'tool-input-start', toolCallId: 'call-1', toolName: 'getWeather' },
      {
        type: 'tool-input-available',
        toolCallId: 'call-1',
        toolName: 'getWeather',
        input: { city: 'Oslo' },
      },
      {
        type: 'tool-output-available',
        toolCallId: 'call-1',
        output: { city: 'Oslo', condition: 'sunny' },
      },
      { type: 'finish-step' },
      { type: 'start-step' },
      { type: 'text-start', id: 'text-1' },
      { type: 'text-delta', id: 'text-1', delta: 'It is' },
    ];
    const session = new MemorySession();
    session.send(user, { recovery: { attempt: 1, chunks: dead } });
    await runWith(model, executions).runSession(session, { idleTimeoutInSeconds: 0 });

    expect(executions).toEqual([]);
    const prompt = model.doStreamCalls[0]?.prompt ?? [];
    expect(prompt.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    const answer = session.messages[1];
    expect(answer?.id).toBe(DEAD_ID);
    expect(answer?.parts.map((part) => part.type)).toEqual([
      'step-start',
      'tool-getWeather',
      'step-start',
      'text',
    ]);
    expect(await clientView([...dead, ...(session.turns[0]?.chunks ?? [])])).toEqual(answer);
  });

  it('checkpoints a turn that had finished without calling the model', async () => {
    const model = textModel('never');
    const dead: UIMessageChunk[] = [
      { type: 'start', messageId: DEAD_ID },
      { type: 'start-step' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'Done.' },
      { type: 'text-end', id: 't' },
      { type: 'finish-step' },
      { type: 'finish', finishReason: 'stop' },
    ];
    const session = new MemorySession();
    session.send(user, { recovery: { attempt: 1, chunks: dead } });
    await runWith(model).runSession(session, { idleTimeoutInSeconds: 0 });
    expect(model.doStreamCalls).toHaveLength(0);
    expect(session.turns[0]?.status).toBe('complete');
    expect(session.turns[0]?.chunks).toEqual([]);
    expect(session.messages[1]).toMatchObject({
      id: DEAD_ID,
      parts: [{ type: 'step-start' }, { type: 'text', text: 'Done.' }],
    });
  });

  it('ends the turn with an error past the recovery budget, keeping finished steps', async () => {
    const model = textModel('never');
    const dead: UIMessageChunk[] = [
      { type: 'start', messageId: DEAD_ID },
      { type: 'start-step' },
      {
        type: 'tool-input-available',
        toolCallId: 'c1',
        toolName: 'getWeather',
        input: { city: 'Rome' },
      },
      { type: 'tool-output-available', toolCallId: 'c1', output: { condition: 'rain' } },
      { type: 'finish-step' },
      { type: 'start-step' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'Ra' },
    ];
    const session = new MemorySession();
    session.send(user, { recovery: { attempt: 3, chunks: dead } });
    session.send({ id: 'u2', role: 'user', parts: [{ type: 'text', text: 'still there?' }] });
    await runWith(textModel('Yes.')).runSession(session, { idleTimeoutInSeconds: 0 });
    expect(model.doStreamCalls).toHaveLength(0);
    expect(session.turns.map((turn) => turn.status)).toEqual(['error', 'complete']);
    expect(session.turns[0]?.chunks).toEqual([
      { type: 'reset-step' },
      { type: 'error', errorText: 'An error occurred while generating the response.' },
    ]);
    expect(session.messages[1]?.parts.map((part) => part.type)).toEqual([
      'step-start',
      'tool-getWeather',
      'step-start',
    ]);
    expect(session.messages.at(-1)?.parts).toMatchObject([
      { type: 'step-start' },
      { type: 'text', text: 'Yes.' },
    ]);
  });

  it('lets onRecovery give up on a turn the default policy would continue', async () => {
    const model = textModel('never');
    const events: { attempt: number; parts: number | undefined }[] = [];
    const session = new MemorySession();
    session.send(user, {
      recovery: {
        attempt: 1,
        chunks: [{ type: 'start', messageId: DEAD_ID }, { type: 'start-step' }],
      },
    });
    await runWith(model, [], {
      onRecovery: ({ attempt, partialMessage }) => {
        events.push({ attempt, parts: partialMessage?.parts.length });
        return { action: 'give-up' };
      },
    }).runSession(session, { idleTimeoutInSeconds: 0 });
    expect(events).toEqual([{ attempt: 1, parts: 0 }]);
    expect(model.doStreamCalls).toHaveLength(0);
    expect(session.turns[0]?.status).toBe('error');
  });

  it('executes a tool call that was running, with its original id, and keeps its step', async () => {
    const model = textModel('It is sunny in Oslo.');
    const executions: string[] = [];
    const dead: UIMessageChunk[] = [
      { type: 'start', messageId: DEAD_ID },
      { type: 'start-step' },
      { type: 'tool-input-start', toolCallId: 'call-7', toolName: 'getWeather' },
      { type: 'tool-input-delta', toolCallId: 'call-7', inputTextDelta: '{"city":"Oslo"}' },
      {
        type: 'tool-input-available',
        toolCallId: 'call-7',
        toolName: 'getWeather',
        input: { city: 'Oslo' },
      },
    ];
    const session = new MemorySession();
    session.send(user, { recovery: { attempt: 1, chunks: dead } });
    await runWith(model, executions).runSession(session, { idleTimeoutInSeconds: 0 });

    expect(executions).toEqual(['call-7']);
    const [turn] = session.turns;
    expect(turn?.chunks.slice(0, 2)).toEqual([
      {
        type: 'tool-output-available',
        toolCallId: 'call-7',
        output: { city: 'Oslo', condition: 'sunny' },
      },
      { type: 'finish-step' },
    ]);
    expect(turn?.chunks).not.toContainEqual({ type: 'reset-step' });
    const answer = session.messages[1];
    expect(answer?.parts.map((part) => part.type)).toEqual([
      'step-start',
      'tool-getWeather',
      'step-start',
      'text',
    ]);
    expect(answer?.parts[1]).toMatchObject({ toolCallId: 'call-7', state: 'output-available' });
    expect(await clientView([...dead, ...(turn?.chunks ?? [])])).toEqual(answer);
    expect(model.doStreamCalls[0]?.prompt.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'tool',
    ]);
  });

  it('never runs a tool that may need approval: the step goes back to the model', async () => {
    // The run died after the tool call's input and before its approval request reached the
    // output: recovery must not run the tool unasked, whichever way the approval is declared.
    const dead: UIMessageChunk[] = [
      { type: 'start', messageId: DEAD_ID },
      { type: 'start-step' },
      {
        type: 'tool-input-available',
        toolCallId: 'call-8',
        toolName: 'deleteFile',
        input: { path: '/etc' },
      },
    ];
    const deleteFile = (executions: string[]) =>
      tool({
        inputSchema: z.object({ path: z.string() }),
        execute: async (_input, { toolCallId }) => {
          executions.push(toolCallId);
          return { deleted: true };
        },
      });
    for (const declare of ['agent-toolApproval', 'agent-toolApproval-function'] as const) {
      const executions: string[] = [];
      const model = textModel('Shall I delete /etc?');
      const agent = chat.agent({
        id: 'approval-recovery',
        tools: { deleteFile: deleteFile(executions) },
        toolApproval:
          declare === 'agent-toolApproval'
            ? { deleteFile: 'user-approval' }
            : () => 'user-approval',
        run: ({ messages, signal, streamText: managed }) =>
          managed({ model, messages, abortSignal: signal }),
      });
      const session = new MemorySession();
      session.send(user, { recovery: { attempt: 1, chunks: dead } });
      await agent.runSession(session, { idleTimeoutInSeconds: 0 });
      expect(executions).toEqual([]);
      expect(session.turns[0]?.chunks[0]).toEqual({ type: 'reset-step' });
    }
  });

  it('runs a step again when a tool call in it had not its whole input', async () => {
    const model = textModel('Done.');
    const executions: string[] = [];
    const dead: UIMessageChunk[] = [
      { type: 'start', messageId: DEAD_ID },
      { type: 'start-step' },
      {
        type: 'tool-input-available',
        toolCallId: 'a',
        toolName: 'getWeather',
        input: { city: 'Oslo' },
      },
      { type: 'tool-input-start', toolCallId: 'b', toolName: 'getWeather' },
    ];
    const session = new MemorySession();
    session.send(user, { recovery: { attempt: 1, chunks: dead } });
    await runWith(model, executions).runSession(session, { idleTimeoutInSeconds: 0 });
    expect(executions).toEqual([]);
    expect(session.turns[0]?.chunks[0]).toEqual({ type: 'reset-step' });
  });
});

describe('the recovery budget (issue 9, finding 2)', () => {
  it('ends the turn with an error when onRecovery throws, and answers the next message', async () => {
    const model = textModel('Fine.');
    const session = new MemorySession();
    session.send(user, {
      recovery: { attempt: 1, chunks: [{ type: 'start', messageId: DEAD_ID }] },
      attempt: 2,
    });
    session.send({ id: 'u2', role: 'user', parts: [{ type: 'text', text: 'again' }] });
    await runWith(model, [], {
      onRecovery: () => {
        throw new Error('the author’s policy failed');
      },
    }).runSession(session, { idleTimeoutInSeconds: 0 });
    // The attempt was on record before the plan failed, and the turn ended; the chat goes on.
    expect(session.turns.map((turn) => turn.status)).toEqual(['error', 'complete']);
    expect(session.turns[0]?.chunks.at(-1)).toMatchObject({ type: 'error' });
    // The dead attempt had written no part: nothing of it stays.
    expect(session.messages.map((message) => message.id)).toEqual(['u1', 'u2', expect.any(String)]);
  });

  it('gives up on a message whose earlier runs all failed before its turn started', async () => {
    const model = textModel('never');
    const session = new MemorySession();
    // Two earlier runs failed (the default budget is 2 retries): this third one may still try.
    session.send(user, { attempt: 3 });
    await runWith(model).runSession(session, { idleTimeoutInSeconds: 0 });
    expect(session.turns[0]?.status).toBe('complete');

    const exhausted = new MemorySession();
    exhausted.send(user, { attempt: 4 });
    await runWith(textModel('never')).runSession(exhausted, { idleTimeoutInSeconds: 0 });
    expect(exhausted.turns[0]?.status).toBe('error');
    expect(exhausted.turns[0]?.chunks).toEqual([
      { type: 'error', errorText: 'An error occurred while generating the response.' },
    ]);
    expect(exhausted.messages).toEqual([user]);
  });
});
