import { streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chat } from '../chat.ts';
import { HookRecorder } from './hook-recorder.ts';
import { mockChatAgent } from './mock-chat-agent.ts';
import { scriptedModel } from './scripted-model.ts';

describe('HookRecorder', () => {
  it("records a chat.agent's hooks in the order they fire, across a suspend", async () => {
    const model = scriptedModel(['one', 'two']);
    const hooks = new HookRecorder();
    const seenPlans: string[] = [];
    const agent = chat.agent(
      hooks.record({
        id: 'recorded',
        clientDataSchema: z.object({ plan: z.string() }),
        onTurnStart: ({ clientData }) => {
          seenPlans.push(clientData.plan);
        },
        run: ({ messages, signal }) => streamText({ model, messages, abortSignal: signal }),
      }),
    );
    const harness = mockChatAgent(agent, { clientData: { plan: 'pro' } });
    await harness.sendMessage('a');
    await harness.suspend();
    await harness.sendMessage('b');

    expect(hooks.names).toEqual([
      'onChatStart',
      'onTurnStart',
      'run',
      'onBeforeTurnComplete',
      'onTurnComplete',
      'onChatSuspend',
      'onChatResume',
      'onTurnStart',
      'run',
      'onBeforeTurnComplete',
      'onTurnComplete',
    ]);
    // The author's hooks still run.
    expect(seenPlans).toEqual(['pro', 'pro']);
    expect(hooks.eventsOf('onChatResume')).toMatchObject([{ runId: 'memory-run-2', turn: 0 }]);
    await harness.close();
  });
});
