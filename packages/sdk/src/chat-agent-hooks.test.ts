import { type ModelMessage, streamText, type ToolSet, tool, type UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chat } from './chat.ts';
import type { ChatAgentOptions } from './chat-agent-options.ts';
import type { Logger } from './logger.ts';
import { MemorySession } from './testing/memory-session.ts';
import { textOf, userMessage } from './testing/messages.ts';
import { scriptedModel } from './testing/scripted-model.ts';

/** A model that answers every call with `reply <n>`, n counting from 1 (3 + 5 tokens a call). */
function countingModel() {
  return scriptedModel((_call, index) => `reply ${index + 1}`, {
    usage: { inputTokens: 3, outputTokens: 5 },
  });
}

const defaults = { idleTimeoutInSeconds: 0 };
const planSchema = z.object({ plan: z.enum(['free', 'pro']) });

/** A logger that keeps its warnings. */
function recordingLogger(warnings: string[]): Logger {
  const logger: Logger = {
    debug() {},
    info() {},
    warn(_object, message) {
      warnings.push(message ?? '');
    },
    error() {},
    child: () => logger,
  };
  return logger;
}

/** An agent whose every hook appends `<hook> <fields>` to `calls`. */
function recordingAgent(
  calls: string[],
  overrides: Partial<ChatAgentOptions<typeof planSchema>> = {},
) {
  const model = countingModel();
  return chat.agent({
    id: 'recording',
    clientDataSchema: planSchema,
    onChatResume: (event) => {
      calls.push(
        `resume ${event.phase} ${event.phase === 'turn' ? event.turn : '-'} ${event.runId}`,
      );
    },
    onValidateMessages: ({ messages, turn, trigger }) => {
      calls.push(`validate ${turn} ${trigger} ${messages.map(textOf).join(',')}`);
      return messages;
    },
    hydrateMessages: ({ turn, previousMessages, incomingMessages, clientData }) => {
      calls.push(`hydrate ${turn} ${previousMessages.length} ${clientData.plan}`);
      return [...previousMessages, ...incomingMessages];
    },
    onChatStart: ({ uiMessages, continuation }) => {
      calls.push(`chat-start ${uiMessages.length} ${continuation}`);
    },
    onTurnStart: ({ turn, uiMessages, runId }) => {
      calls.push(`turn-start ${turn} ${uiMessages.length} ${runId}`);
    },
    prepareMessages: ({ messages, reason, turn }) => {
      calls.push(`prepare ${turn} ${reason} ${messages.length}`);
      return messages;
    },
    run: ({ messages, turn, signal }) => {
      calls.push(`run ${turn}`);
      return streamText({ model, messages, abortSignal: signal });
    },
    onBeforeTurnComplete: ({ turn, responseMessage }) => {
      calls.push(`before-complete ${turn} ${textOf(responseMessage)}`);
    },
    onTurnComplete: ({ turn, uiMessages }) => {
      calls.push(`turn-complete ${turn} ${uiMessages.length}`);
    },
    onChatSuspend: (event) => {
      const detail = event.phase === 'turn' ? `${event.turn} ${event.uiMessages.length}` : '-';
      calls.push(`suspend ${event.phase} ${detail} ${event.runId} ${event.clientData?.plan}`);
    },
    ...overrides,
  });
}

describe('chat.agent hooks', () => {
  it("fires every hook in Trigger.dev's order across two turns, a suspend and a resume", async () => {
    const calls: string[] = [];
    const warnings: string[] = [];
    const agent = recordingAgent(calls);
    const session = new MemorySession({ logger: recordingLogger(warnings) });
    session.send(userMessage('one'), { clientData: { plan: 'pro' } });
    session.send(userMessage('two'), { clientData: { plan: 'pro' } });
    expect(await agent.runSession(session, defaults)).toBe('suspended');
    session.send(userMessage('three'), { clientData: { plan: 'free' } });
    expect(await agent.runSession(session, defaults)).toBe('suspended');

    expect(calls).toEqual([
      'validate 0 submit-message one',
      'hydrate 0 0 pro',
      'chat-start 1 false',
      'turn-start 0 1 memory-run',
      'prepare 0 run 1',
      'run 0',
      'before-complete 0 reply 1',
      'turn-complete 0 2',
      'validate 1 submit-message two',
      'hydrate 1 2 pro',
      'turn-start 1 3 memory-run',
      'prepare 1 run 3',
      'run 1',
      'before-complete 1 reply 2',
      'turn-complete 1 4',
      'suspend turn 1 4 memory-run pro',
      // The next run (on any worker) resumes the chat before its first turn.
      'resume turn 1 memory-run-2',
      'validate 2 submit-message three',
      'hydrate 2 4 free',
      'turn-start 2 5 memory-run-2',
      'prepare 2 run 5',
      'run 2',
      'before-complete 2 reply 3',
      'turn-complete 2 6',
      'suspend turn 2 6 memory-run-2 free',
    ]);
    expect(session.messages.map(textOf)).toEqual([
      'one',
      'reply 1',
      'two',
      'reply 2',
      'three',
      'reply 3',
    ]);
    // Deprecated as upstream did: one warning per process, however many runs use it.
    expect(warnings.filter((warning) => warning.startsWith('hydrateMessages'))).toHaveLength(1);
  });

  it('gives the suspend and resume hooks the last turn, the history and the client data', async () => {
    const events: unknown[] = [];
    const agent = recordingAgent([], {
      onChatSuspend: (event) => {
        events.push(event);
      },
      onChatResume: (event) => {
        events.push(event);
      },
    });
    const session = new MemorySession({ chatId: 'chat-7' });
    session.send(userMessage('hi'), { clientData: { plan: 'pro' } });
    await agent.runSession(session, defaults);
    session.send(userMessage('again'), { clientData: { plan: 'free' } });
    await agent.runSession(session, defaults);

    const history = (count: number) => expect.arrayContaining(session.messages.slice(0, count));
    expect(events).toEqual([
      {
        phase: 'turn',
        chatId: 'chat-7',
        runId: 'memory-run',
        turn: 0,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'hi' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'reply 1' }] },
        ] satisfies ModelMessage[],
        uiMessages: history(2),
        clientData: { plan: 'pro' },
      },
      expect.objectContaining({
        phase: 'turn',
        runId: 'memory-run-2',
        turn: 0,
        clientData: { plan: 'free' },
      }),
      expect.objectContaining({ phase: 'turn', runId: 'memory-run-2', turn: 1 }),
    ]);
    expect((events[1] as { uiMessages: UIMessage[] }).uiMessages.map(textOf)).toEqual([
      'hi',
      'reply 1',
    ]);
  });

  it('resumes on the same run when a message arrives while onChatSuspend runs', async () => {
    const calls: string[] = [];
    const session = new MemorySession();
    let hasSent = false;
    const agent = recordingAgent(calls, {
      onChatSuspend: () => {
        calls.push('suspend');
        if (!hasSent) session.send(userMessage('late'), { clientData: { plan: 'pro' } });
        hasSent = true;
      },
    });
    session.send(userMessage('first'), { clientData: { plan: 'pro' } });
    expect(await agent.runSession(session, defaults)).toBe('suspended');
    expect(calls.filter((call) => /^(suspend|resume|turn-start)/.test(call))).toEqual([
      'turn-start 0 1 memory-run',
      'suspend',
      'resume turn 0 memory-run',
      'turn-start 1 3 memory-run',
      'suspend',
    ]);
    expect(session.runEnds).toEqual(['suspended']);
  });

  it('logs a failing onChatSuspend and suspends all the same', async () => {
    const errors: string[] = [];
    const logger: Logger = {
      ...recordingLogger([]),
      error: (_object, message) => errors.push(message ?? ''),
    };
    logger.child = () => logger;
    const agent = recordingAgent([], {
      onChatSuspend: () => {
        throw new Error('sandbox already gone');
      },
    });
    const session = new MemorySession({ logger });
    session.send(userMessage('x'), { clientData: { plan: 'pro' } });
    expect(await agent.runSession(session, defaults)).toBe('suspended');
    expect(errors).toEqual(['onChatSuspend failed']);
  });
});

describe('onValidateMessages and hydrateMessages', () => {
  it('accumulates what onValidateMessages returns; a throw fails the turn and drops the message', async () => {
    const session = new MemorySession();
    const agent = recordingAgent([], {
      hydrateMessages: undefined,
      onValidateMessages: ({ messages }) => {
        if (textOf(messages[0]) === 'bad') throw new Error('malformed message');
        return messages.map((message) => ({ ...message, metadata: { checked: true } }));
      },
    });
    session.send(userMessage('good'), { clientData: { plan: 'pro' } });
    session.send(userMessage('bad'), { clientData: { plan: 'pro' } });
    session.send(userMessage('fine'), { clientData: { plan: 'pro' } });
    await agent.runSession(session, defaults);

    expect(session.turns.map((turn) => turn.status)).toEqual(['complete', 'error', 'complete']);
    expect(session.turns[1]?.chunks).toEqual([
      { type: 'error', errorText: 'An error occurred while generating the response.' },
    ]);
    expect(session.messages.map(textOf)).toEqual(['good', 'reply 1', 'fine', 'reply 2']);
    expect(session.messages[0]?.metadata).toEqual({ checked: true });
  });

  it('takes the history hydrateMessages returns and merges an incoming message it holds', async () => {
    const stored: UIMessage[] = [userMessage('from the database', 'db-1')];
    const seen: string[][] = [];
    const agent = recordingAgent([], {
      onValidateMessages: undefined,
      hydrateMessages: ({ incomingMessages }) => [
        ...stored,
        { ...incomingMessages[0]!, parts: [] },
      ],
      run: ({ uiMessages }) => {
        seen.push(uiMessages.map(textOf));
      },
    });
    const session = new MemorySession();
    session.send(userMessage('live'), { clientData: { plan: 'pro' } });
    await agent.runSession(session, defaults);
    // The hook's copy of the incoming message is replaced by the incoming one (its id matches).
    expect(seen).toEqual([['from the database', 'live']]);
    expect(session.messages.map(textOf)).toEqual(['from the database', 'live']);
    expect(session.turns[0]?.end?.keepCount).toBe(0);
  });
});

describe('prepareMessages, tools, onBeforeTurnComplete', () => {
  it('hands run the prepared messages and the tools the per-turn function picked', async () => {
    const lookup = tool({
      description: 'look something up',
      inputSchema: z.object({ query: z.string() }),
      execute: async () => 'found',
    });
    const toolEvents: unknown[] = [];
    const seen: Array<{ tools: string[]; messages: ModelMessage[] }> = [];
    const agent = chat.agent({
      id: 'tools',
      clientDataSchema: planSchema,
      tools: (event): ToolSet => {
        toolEvents.push(event);
        return event.clientData.plan === 'pro' ? { lookup } : {};
      },
      prepareMessages: ({ messages }) => [{ role: 'system', content: 'be brief' }, ...messages],
      run: ({ tools, messages }) => {
        seen.push({ tools: Object.keys(tools), messages });
      },
    });
    const session = new MemorySession({ chatId: 'c' });
    session.send(userMessage('a'), { clientData: { plan: 'pro' } });
    session.send(userMessage('b'), { clientData: { plan: 'free' } });
    await agent.runSession(session, defaults);

    expect(toolEvents).toEqual([
      { chatId: 'c', turn: 0, continuation: false, clientData: { plan: 'pro' } },
      { chatId: 'c', turn: 1, continuation: false, clientData: { plan: 'free' } },
    ]);
    expect(seen.map(({ tools }) => tools)).toEqual([['lookup'], []]);
    expect(seen[1]?.messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'a' }] },
      { role: 'user', content: [{ type: 'text', text: 'b' }] },
    ]);
  });

  it('lets onBeforeTurnComplete write into the open turn; its parts persist unless transient', async () => {
    const session = new MemorySession();
    const responses: string[] = [];
    const agent = recordingAgent([], {
      onBeforeTurnComplete: ({ writer, usage, responseMessage, turn }) => {
        if (turn === 1) throw new Error('post-processing failed');
        writer.write({ type: 'data-usage', data: { tokens: usage.totalTokens } });
        writer.write({ type: 'data-progress', data: { done: true }, transient: true });
        responses.push(textOf(responseMessage));
      },
    });
    session.send(userMessage('q'), { clientData: { plan: 'pro' } });
    session.send(userMessage('r'), { clientData: { plan: 'pro' } });
    session.send(userMessage('s'), { clientData: { plan: 'pro' } });
    await agent.runSession(session, defaults);

    expect(responses).toEqual(['reply 1', 'reply 3']);
    const [first, failed, last] = session.turns;
    expect(first?.chunks.slice(-2)).toEqual([
      { type: 'data-usage', data: { tokens: 8 } },
      { type: 'data-progress', data: { done: true }, transient: true },
    ]);
    expect(session.messages[1]?.parts.at(-1)).toEqual({ type: 'data-usage', data: { tokens: 8 } });
    expect(session.messages[1]?.parts.some((part) => part.type === 'data-progress')).toBe(false);
    // A throw ends the turn with an error chunk; its answer is kept and the chat goes on.
    expect(failed?.status).toBe('error');
    expect(failed?.chunks.at(-1)).toMatchObject({ type: 'error' });
    expect(last?.status).toBe('complete');
    expect(session.messages.map(textOf).slice(2)).toEqual(['r', 'reply 2', 's', 'reply 3']);
  });
});
