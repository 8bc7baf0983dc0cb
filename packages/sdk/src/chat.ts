import { turn } from './chat-action.ts';
import { chatAgent } from './chat-agent.ts';
import { withClientData } from './chat-builder.ts';
import { close } from './chat-close.ts';
import { defer, deferBeforeOutput } from './chat-defer.ts';
import { history, setMessages } from './chat-history.ts';
import { inject } from './chat-inject.ts';
import { local } from './chat-local.ts';
import { endRun, response, stream } from './chat-response.ts';
import { cleanupAbortedParts } from './cleanup-aborted-parts.ts';
import { chatMessages } from './custom-agent/chat-messages.ts';
import { createSession } from './custom-agent/chat-session.ts';
import { customAgent } from './custom-agent/custom-agent.ts';
import { endAndContinue } from './custom-agent/end-and-continue.ts';
import { MessageAccumulator } from './custom-agent/message-accumulator.ts';
import { pipe, pipeAndCapture, writeTurnComplete } from './custom-agent/pipe.ts';
import { session } from './custom-agent/session-handle.ts';
import { createStopSignal } from './custom-agent/stop-signal.ts';
import {
  setIdleTimeoutInSeconds,
  setTurnTimeout,
  setTurnTimeoutInSeconds,
} from './runtime-settings.ts';

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
  withClientData,
  setIdleTimeoutInSeconds,
  setTurnTimeout,
  setTurnTimeoutInSeconds,
  close,
  turn,
  endRun,
  history,
  setMessages,
  local,
  inject,
  defer,
  deferBeforeOutput,
  response,
  stream,
  customAgent,
  createSession,
  messages: chatMessages,
  createStopSignal,
  pipe,
  pipeAndCapture,
  writeTurnComplete,
  endAndContinue,
  session,
  MessageAccumulator,
  cleanupAbortedParts,
} as const;
