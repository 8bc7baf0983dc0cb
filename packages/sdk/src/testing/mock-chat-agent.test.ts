import { stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chat } from '../chat.ts';
import { mockChatAgent } from './mock-chat-agent.ts';
import { scriptedModel } from './scripted-model.ts';

/** A weather agent whose tool records its executions; every hook appends its name to `hooks`. */
function weatherAgent(model: ReturnType<typeof scriptedModel>, hooks: string[] = []) {
  const executions: string[] = [];
  const agent = chat.agent({
    id: 'weather',
    tools: {
      getWeather: tool({
        inputSchema: z.object({ city: z.string() }),
        execute: async ({ city }, { toolCallId }) => {
          executions.push(toolCallId);
          return { city, condition: 'sunny' };
        },
      }),
    },
    onChatStart: () => {
      hooks.push('onChatStart');
    },
    onTurnStart: ({ turn }) => {
      hooks.push(`onTurnStart ${turn}`);
    },
    run: ({ messages, tools, signal }) => {
      hooks.push('run');
      return streamText({
        model,
        messages,
        tools,
        abortSignal: signal,
        stopWhen: stepCountIs(5),
        // A failing model is part of the script: not for the test's output.
        onError: () => {},
      });
    },
    onTurnComplete: ({ turn, stopped }) => {
      hooks.push(`onTurnComplete ${turn}${stopped ? ' stopped' : ''}`);
    },
    onChatSuspend: ({ runId }) => {
      hooks.push(`onChatSuspend ${runId}`);
    },
    onChatResume: ({ runId }) => {
      hooks.push(`onChatResume ${runId}`);
    },
  });
  return { agent, executions };
}

describe('mockChatAgent with chat.agent', () => {
  it('drives turns with a tool call, and the model sees the tool result', async () => {
    const model = scriptedModel([
      { text: 'Let me look.', toolCalls: [{ toolName: 'getWeather', input: { city: 'Oslo' } }] },
      'It is sunny in Oslo.',
      'You are welcome.',
    ]);
    const hooks: string[] = [];
    const { agent, executions } = weatherAgent(model, hooks);
    const harness = mockChatAgent(agent);

    const first = await harness.sendMessage('weather in Oslo?');
    expect(first).toMatchObject({ turn: 0, status: 'complete', runId: 'memory-run' });
    expect(first.text).toBe('Let me look.It is sunny in Oslo.');
    expect(executions).toEqual(['call-1-1']);
    expect(first.responseMessage?.parts.map((part) => part.type)).toEqual([
      'step-start',
      'text',
      'tool-getWeather',
      'step-start',
      'text',
    ]);
    expect(model.prompts[1]?.at(-1)).toMatchObject({
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'call-1-1', toolName: 'getWeather' }],
    });

    const second = await harness.sendMessage('thanks');
    expect(second.text).toBe('You are welcome.');
    expect(model.prompts[2]?.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'user',
    ]);
    expect(harness.messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(harness.turns.map((turn) => turn.turn)).toEqual([0, 1]);
    // The send resolves once the agent is done with the turn: its onTurnComplete has run.
    expect(hooks).toEqual([
      'onChatStart',
      'onTurnStart 0',
      'run',
      'onTurnComplete 0',
      'onTurnStart 1',
      'run',
      'onTurnComplete 1',
    ]);
    await harness.close();
  });

  it('suspends when idle and resumes the chat in a new run', async () => {
    const hooks: string[] = [];
    const { agent } = weatherAgent(scriptedModel(['one', 'two']), hooks);
    const harness = mockChatAgent(agent);
    await harness.sendMessage('a');
    await harness.suspend();
    const resumed = await harness.sendMessage('b');
    expect(resumed).toMatchObject({ turn: 1, runId: 'memory-run-2', text: 'two' });
    expect(harness.runEnds).toEqual(['suspended']);
    expect(hooks.filter((hook) => hook.startsWith('onChat'))).toEqual([
      'onChatStart',
      'onChatSuspend memory-run',
      'onChatResume memory-run-2',
    ]);
    await harness.close();
  });

  it('stops the turn in flight, keeps the partial answer, and answers the next message', async () => {
    const model = scriptedModel([{ text: 'Once upon a time', hang: true }, 'Short story.']);
    const hooks: string[] = [];
    const { agent } = weatherAgent(model, hooks);
    const harness = mockChatAgent(agent);

    const pending = harness.sendMessage('tell me a long story');
    await harness.waitForChunk((chunk) => chunk.type === 'text-delta' && chunk.delta === ' time');
    await harness.sendStop();
    const stopped = await pending;
    expect(stopped.status).toBe('stopped');
    expect(stopped.chunks.at(-1)).toMatchObject({ type: 'abort' });
    expect(stopped.responseMessage?.parts).toMatchObject([
      { type: 'step-start' },
      { type: 'text', text: 'Once upon a time', state: 'done' },
    ]);
    expect(hooks).toContain('onTurnComplete 0 stopped');

    const next = await harness.sendMessage('a short one then');
    expect(next).toMatchObject({ status: 'complete', text: 'Short story.' });
    await harness.close();
  });

  it('ends a turn whose model fails with an error chunk; the chat goes on', async () => {
    const { agent } = weatherAgent(
      scriptedModel([{ text: 'Partial', error: new Error('provider overloaded') }, 'Back.']),
    );
    const harness = mockChatAgent(agent);
    const failed = await harness.sendMessage('hi');
    expect(failed.status).toBe('error');
    expect(failed.chunks).toContainEqual({
      type: 'error',
      errorText: 'An error occurred while generating the response.',
    });
    expect((await harness.sendMessage('again')).text).toBe('Back.');
    await harness.close();
  });

  it('keeps what the runtime logged: the cause of a failed turn the client cannot see', async () => {
    const agent = chat.agent({
      id: 'broken',
      run: () => {
        throw new Error('database is down');
      },
    });
    const harness = mockChatAgent(agent);
    expect((await harness.sendMessage('hi')).status).toBe('error');
    expect(harness.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'turn failed',
        fields: expect.objectContaining({ turn: 0, err: new Error('database is down') }),
      }),
    );
    await harness.close();
  });

  it('regenerates the last answer in place', async () => {
    const { agent } = weatherAgent(scriptedModel(['first try', 'second try']));
    const harness = mockChatAgent(agent);
    await harness.sendMessage('hi');
    const regenerated = await harness.sendRegenerate();
    expect(regenerated.text).toBe('second try');
    expect(harness.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(harness.messages[1]).toBe(regenerated.responseMessage);
    await harness.close();
  });
});

describe('tool approvals', () => {
  /** An agent whose tool needs the user's approval before it runs. */
  function approvalAgent(model: ReturnType<typeof scriptedModel>) {
    const executions: string[] = [];
    const agent = chat.agent({
      id: 'bank',
      tools: {
        transfer: tool({
          inputSchema: z.object({ amount: z.number() }),
          needsApproval: true,
          execute: async ({ amount }, { toolCallId }) => {
            executions.push(toolCallId);
            return { sent: amount };
          },
        }),
      },
      run: ({ messages, tools, signal }) =>
        streamText({ model, messages, tools, abortSignal: signal, stopWhen: stepCountIs(5) }),
    });
    return { agent, executions };
  }

  const script = [
    { toolCalls: [{ toolName: 'transfer', input: { amount: 50 }, toolCallId: 'pay-1' }] },
    'Done.',
  ];

  it('runs an approved tool once and lets the model see its result', async () => {
    const model = scriptedModel(script);
    const { agent, executions } = approvalAgent(model);
    const harness = mockChatAgent(agent);

    const asked = await harness.sendMessage('send 50 to Ada');
    expect(asked.chunks).toContainEqual(
      expect.objectContaining({ type: 'tool-approval-request', toolCallId: 'pay-1' }),
    );
    expect(executions).toEqual([]);

    const answered = await harness.approveTool('pay-1');
    expect(executions).toEqual(['pay-1']);
    expect(answered.text).toBe('Done.');
    expect(model.prompts[1]?.at(-1)).toMatchObject({
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'pay-1', output: { value: { sent: 50 } } }],
    });
    // The answer continues the assistant message that asked.
    expect(harness.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(harness.messages[1]?.parts).toContainEqual(
      expect.objectContaining({ toolCallId: 'pay-1', state: 'output-available' }),
    );
    await harness.close();
  });

  it('never runs a denied tool; the model sees the denial', async () => {
    const model = scriptedModel(script);
    const { agent, executions } = approvalAgent(model);
    const harness = mockChatAgent(agent);
    await harness.sendMessage('send 50 to Ada');

    const answered = await harness.denyTool('pay-1', { reason: 'not today' });
    expect(executions).toEqual([]);
    expect(answered.text).toBe('Done.');
    expect(model.prompts[1]?.at(-1)).toMatchObject({
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: 'pay-1',
          output: { type: 'execution-denied', reason: 'not today' },
        },
      ],
    });
    expect(harness.messages[1]?.parts).toContainEqual(
      expect.objectContaining({ toolCallId: 'pay-1', state: 'output-denied' }),
    );
    await harness.close();
  });

  it('takes the output of a tool the agent cannot run (human in the loop)', async () => {
    const model = scriptedModel([
      { toolCalls: [{ toolName: 'askUser', input: { question: 'Which city?' }, toolCallId: 'q' }] },
      'Oslo it is.',
    ]);
    const agent = chat.agent({
      id: 'asking',
      tools: { askUser: tool({ inputSchema: z.object({ question: z.string() }) }) },
      run: ({ messages, tools }) => streamText({ model, messages, tools }),
    });
    const harness = mockChatAgent(agent);
    await harness.sendMessage('plan my trip');
    const answered = await harness.addToolOutput({ toolCallId: 'q', output: 'Oslo' });
    expect(answered.text).toBe('Oslo it is.');
    expect(model.prompts[1]?.at(-1)).toMatchObject({
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'q', output: { type: 'text', value: 'Oslo' } }],
    });
    await harness.close();
  });
});

describe('mockChatAgent with a custom agent', () => {
  it('drives chat.createSession turns and keeps the history across a suspend', async () => {
    const model = scriptedModel((call) => {
      const users = call.prompt.filter((message) => message.role === 'user').length;
      return `I see ${users} user messages.`;
    });
    const agent = chat.customAgent({
      id: 'session-loop',
      run: async (payload, { signal }) => {
        for await (const turn of chat.createSession(payload, { signal })) {
          await turn.complete(
            streamText({ model, messages: turn.messages, abortSignal: turn.signal }),
          );
        }
      },
    });
    const harness = mockChatAgent(agent, { clientData: { userId: 'ada' } });

    expect((await harness.sendMessage('one')).text).toBe('I see 1 user messages.');
    expect((await harness.sendMessage('two')).text).toBe('I see 2 user messages.');
    await harness.suspend();
    const resumed = await harness.sendMessage('three');
    expect(resumed).toMatchObject({ turn: 2, runId: 'memory-run-2' });
    expect(resumed.text).toBe('I see 3 user messages.');
    expect(harness.messages).toHaveLength(6);
    await harness.close();
  });
});
