// The example of docs/agents/testing.md, as it runs: keep the two in step.
import { chat } from '@baton/sdk';
import { HookRecorder, mockChatAgent, scriptedModel } from '@baton/sdk/testing';
import { type LanguageModel, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

/** The agent under test: the model is a parameter, so a test hands it a scripted one. */
function createTravelAgent(model: LanguageModel, hooks = new HookRecorder()) {
  const bookings: string[] = [];
  const agent = chat.agent(
    hooks.record({
      id: 'travel',
      tools: {
        bookTrain: tool({
          description: 'Books a train ticket',
          inputSchema: z.object({ to: z.string() }),
          needsApproval: true,
          execute: async ({ to }) => {
            bookings.push(to);
            return { booked: to };
          },
        }),
      },
      run: ({ messages, tools, signal }) =>
        streamText({ model, messages, tools, abortSignal: signal, stopWhen: stepCountIs(5) }),
    }),
  );
  return { agent, bookings };
}

describe('the travel agent', () => {
  it('books a train only once the user approved it', async () => {
    const model = scriptedModel([
      { text: 'Shall I book it?', toolCalls: [{ toolName: 'bookTrain', input: { to: 'Bergen' } }] },
      'Booked: Bergen, 08:00.',
    ]);
    const hooks = new HookRecorder();
    const { agent, bookings } = createTravelAgent(model, hooks);
    const harness = mockChatAgent(agent);

    const asked = await harness.sendMessage('Get me to Bergen tomorrow');
    expect(asked.text).toBe('Shall I book it?');
    expect(bookings).toEqual([]);

    // The id the scripted model gave the call: `call-<model call>-<position>`.
    const booked = await harness.approveTool('call-1-1');
    expect(bookings).toEqual(['Bergen']);
    expect(booked.text).toBe('Booked: Bergen, 08:00.');
    // What the model saw on its second call: the tool's result.
    expect(model.prompts[1]?.at(-1)).toMatchObject({
      role: 'tool',
      content: [{ type: 'tool-result', output: { type: 'json', value: { booked: 'Bergen' } } }],
    });
    expect(hooks.names.filter((name) => name === 'run')).toHaveLength(2);
    await harness.close();
  });

  it('stops a long answer and keeps what was said', async () => {
    const model = scriptedModel([{ text: 'Let me tell you about Bergen', hang: true }]);
    const harness = mockChatAgent(createTravelAgent(model).agent);

    const answering = harness.sendMessage('Tell me everything about Bergen');
    // The model hangs after its last word: once that reached the client, nothing more comes.
    await harness.waitForChunk((chunk) => chunk.type === 'text-delta' && chunk.delta === ' Bergen');
    await harness.sendStop();
    const stopped = await answering;
    expect(stopped.status).toBe('stopped');
    // The partial answer is kept, as the user saw it.
    expect(stopped.responseMessage?.parts.at(-1)).toMatchObject({
      type: 'text',
      text: 'Let me tell you about Bergen',
    });
    await harness.close();
  });
});
