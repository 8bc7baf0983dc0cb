import { streamText, tool, type UIMessageChunk } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chat } from './chat.ts';
import { MemorySession } from './testing/memory-session.ts';
import { userMessage } from './testing/messages.ts';
import { scriptedModel } from './testing/scripted-model.ts';

const defaults = { idleTimeoutInSeconds: 0 };

function dataChunks(chunks: readonly UIMessageChunk[]): string[] {
  return chunks.filter((chunk) => chunk.type.startsWith('data-')).map((chunk) => chunk.type);
}

describe('chat.response and chat.stream', () => {
  it('persists chat.response data parts, not transient ones, and never chat.stream chunks', async () => {
    const model = scriptedModel(['answer']);
    let responseParts: string[] = [];
    const agent = chat.agent({
      id: 'writers',
      onTurnComplete: ({ responseMessage }) => {
        responseParts = (responseMessage?.parts ?? []).map((part) => part.type);
      },
      run: async ({ messages, signal, streamText }) => {
        const { waitUntilComplete } = chat.stream.writer({
          execute: ({ write }) => write({ type: 'data-status', data: { step: 'searching' } }),
        });
        await waitUntilComplete();
        const result = streamText({ model, messages, abortSignal: signal });
        chat.response.write({ type: 'data-context', data: { hits: 3 } });
        chat.response.write({ type: 'data-progress', data: { percent: 50 }, transient: true });
        return result;
      },
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    // Every chunk reached the client.
    expect(dataChunks(session.turns[0]?.chunks ?? [])).toEqual([
      'data-status',
      'data-context',
      'data-progress',
    ]);
    // Only the persisted one is in the response, as onTurnComplete and the checkpoint see it.
    expect(responseParts).toContain('data-context');
    expect(responseParts).not.toContain('data-progress');
    expect(responseParts).not.toContain('data-status');
    const persisted = session.messages.at(-1)?.parts.map((part) => part.type) ?? [];
    expect(persisted).toEqual(responseParts);
  });

  it('chat.deferBeforeOutput holds the output until the work settles', async () => {
    const model = scriptedModel(['answer']);
    let release: () => void = () => {};
    const written = new Promise<void>((resolve) => {
      release = resolve;
    });
    let chunksWhenReleased = -1;
    const session = new MemorySession();
    const agent = chat.agent({
      id: 'defer-before-output',
      onTurnStart: () => {
        chat.deferBeforeOutput(async () => {
          await written;
          chunksWhenReleased = session.turns[0]?.chunks.length ?? -1;
        });
      },
      run: async ({ messages, signal, streamText }) => {
        const result = streamText({ model, messages, abortSignal: signal });
        await result.consumeStream?.();
        // The model finished; nothing reached the client yet.
        expect(session.turns[0]?.chunks).toEqual([]);
        release();
        return result;
      },
    });
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    expect(chunksWhenReleased).toBe(0);
    expect(session.turns[0]?.chunks.map((chunk) => chunk.type)).toContain('text-delta');
  });
});

describe('chat.deferBeforeOutput and a turn faster than its work', () => {
  it('holds the last chunks and the turn-complete until the work is done', async () => {
    const model = scriptedModel(['quick']);
    let chunksWhenDone = -1;
    const session = new MemorySession();
    const agent = chat.agent({
      id: 'slow-hold',
      onTurnStart: () => {
        chat.deferBeforeOutput(async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          chunksWhenDone = session.turns[0]?.chunks.length ?? -1;
        });
      },
      run: ({ messages, signal, streamText }) =>
        streamText({ model, messages, abortSignal: signal }),
    });
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    // The answer was done long before the work: still nothing went out until the work was.
    expect(chunksWhenDone).toBe(0);
    expect(session.turns[0]?.status).toBe('complete');
    expect(session.turns[0]?.chunks.length).toBeGreaterThan(0);
  });
});

describe('the managed streamText handed to run', () => {
  const agentTool = tool({
    description: 'declared on the agent',
    inputSchema: z.object({ a: z.string() }),
    execute: async () => 'a',
  });
  const callTool = tool({
    description: 'passed at the call',
    inputSchema: z.object({ b: z.string() }),
    execute: async () => 'b',
  });

  it("merges the agent's tools under the call's and carries the agent's system", async () => {
    const model = scriptedModel(['ok']);
    const agent = chat.agent({
      id: 'managed-tools',
      system: 'AGENT-SYSTEM',
      tools: { agentTool },
      run: ({ messages, signal, streamText }) =>
        streamText({ model, messages, abortSignal: signal, tools: { callTool } }),
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    const call = model.doStreamCalls[0];
    expect((call?.tools ?? []).map((entry) => entry.name).sort()).toEqual([
      'agentTool',
      'callTool',
    ]);
    expect(JSON.stringify(call?.prompt[0])).toContain('AGENT-SYSTEM');
  });

  it("refuses a call's system when the agent set one; takes it when the agent did not", async () => {
    const model = scriptedModel(['ok', 'ok']);
    let thrown: unknown;
    const withSystem = chat.agent({
      id: 'managed-conflict',
      system: 'AGENT-SYSTEM',
      run: ({ messages, signal, streamText }) => {
        try {
          return streamText({ model, messages, abortSignal: signal, system: 'MINE' });
        } catch (error) {
          thrown = error;
          return streamText({ model, messages, abortSignal: signal });
        }
      },
    });
    const withoutSystem = chat.agent({
      id: 'managed-call-system',
      run: ({ messages, signal, streamText }) =>
        streamText({ model, messages, abortSignal: signal, system: 'CALL-SYSTEM' }),
    });
    for (const agent of [withSystem, withoutSystem]) {
      const session = new MemorySession();
      session.send(userMessage('a'));
      await agent.runSession(session, defaults);
    }
    expect(String(thrown)).toContain('chat.agent({ system })');
    expect(JSON.stringify(model.prompts[1])).toContain('CALL-SYSTEM');
  });

  it("runs the call's prepareStep after the managed one, which hands it mid-turn injections", async () => {
    const model = scriptedModel([
      { toolCalls: [{ toolName: 'agentTool', input: { a: 'x' } }] },
      'done',
    ]);
    const seenByCall: number[] = [];
    const agent = chat.agent({
      id: 'managed-prepare-step',
      tools: {
        agentTool: tool({
          description: 'injects while it runs',
          inputSchema: z.object({ a: z.string() }),
          execute: async () => {
            chat.inject([{ role: 'user', content: 'MID-TURN-FACT' }]);
            return 'a';
          },
        }),
      },
      run: ({ messages, signal, streamText }) =>
        streamText({
          model,
          messages,
          abortSignal: signal,
          stopWhen: ({ steps }) => steps.length >= 2,
          prepareStep: ({ messages: stepMessages }) => {
            seenByCall.push(stepMessages.length);
            return undefined;
          },
        }),
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    expect(seenByCall).toHaveLength(2);
    expect(JSON.stringify(model.prompts[1]?.at(-1))).toContain('MID-TURN-FACT');
  });
});

describe('chat.response in a custom agent', () => {
  it('keeps a data part written before the answer started in the persisted answer', async () => {
    const model = scriptedModel(['answer']);
    const agent = chat.customAgent({
      id: 'custom-data',
      run: async (payload, { signal }) => {
        if (payload.trigger === 'preload') return;
        const conversation = new chat.MessageAccumulator();
        const messages = await conversation.addIncoming([payload.message], payload.trigger, 0);
        chat.response.write({ type: 'data-context', data: { hits: 2 } });
        const { message } = await chat.pipeAndCapture(
          streamText({ model, messages, abortSignal: signal }),
        );
        if (message) await conversation.addResponse(message);
        await chat.writeTurnComplete();
      },
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    expect(session.messages.at(-1)?.parts.map((part) => part.type)).toContain('data-context');
  });
});
