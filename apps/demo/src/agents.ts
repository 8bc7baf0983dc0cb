import { chat } from '@baton/sdk';
import { isStepCount } from 'ai';
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
  // Declared on the agent, the approval also keeps turn recovery from running bookTable unasked.
  toolApproval: demoToolApproval,
  // The managed streamText brings the agent's tools and toolApproval.
  run: ({ messages, turn, signal, streamText }) =>
    streamText({
      model,
      messages,
      stopWhen: isStepCount(5),
      abortSignal: signal,
      providerOptions: { demo: { turn: turn + 1 } },
    }),
});
