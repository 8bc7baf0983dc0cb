import { chatAgent } from './chat-agent.ts';
import { cleanupAbortedParts } from './cleanup-aborted-parts.ts';

/**
 * The agent author's namespace, after Trigger.dev's `chat` of `@trigger.dev/sdk/ai`.
 *
 * @example
 * ```ts
 * import { chat } from '@baton/sdk';
 * export const assistant = chat.agent({ id: 'assistant', run: ({ messages, signal }) => ... });
 * ```
 */
export const chat = {
  agent: chatAgent,
  cleanupAbortedParts,
} as const;
