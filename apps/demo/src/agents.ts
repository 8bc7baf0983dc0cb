import { chat } from '@baton/sdk';
import { isStepCount, streamText } from 'ai';
import { loadDemoConfig } from './config.ts';
import { demoToolApproval, demoTools } from './demo-tools.ts';
import { modelFromConfig } from './model-from-config.ts';

const config = loadDemoConfig(process.env);
const model = modelFromConfig(config);

/**
 * The demo agent: answers every message through the configured model, with a `getWeather` tool and
 * a `bookTable` tool that runs only once the user approved the call (the playground's Approve and
 * Deny). The turn number travels to the offline model as a provider option, so its replies show it.
 */
export const demo = chat.agent({
  id: 'demo',
  tools: demoTools,
  run: ({ messages, tools, turn, signal }) =>
    streamText({
      model,
      messages,
      tools,
      toolApproval: demoToolApproval,
      stopWhen: isStepCount(5),
      abortSignal: signal,
      providerOptions: { demo: { turn: turn + 1 } },
    }),
});
