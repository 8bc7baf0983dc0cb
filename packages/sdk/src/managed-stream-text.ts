import {
  type ModelMessage,
  type PrepareStepFunction,
  type SystemModelMessage,
  streamText,
  type ToolSet,
} from 'ai';
import type { InjectionQueue } from './chat-inject.ts';

type Instructions = string | SystemModelMessage | SystemModelMessage[];
type StreamTextOptions = Parameters<typeof streamText>[0];

/**
 * The `streamText` handed to `chat.agent`'s `run` (Trigger.dev 4.6's managed `streamText`): the
 * AI SDK's, with
 * - the agent's `system` as instructions (a call that passes its own when the agent set one
 *   throws: one owner per prompt);
 * - the agent's tools merged under the call's (`{ ...agentTools, ...callTools }`), and the
 *   agent's `toolApproval` unless the call sets its own;
 * - a managed `prepareStep` that runs before the call's own and hands `chat.inject` messages to
 *   the next inference call: system ones appended to the instructions for that call only, the
 *   others appended to its messages;
 * - every other option passed through untouched.
 */
export function createManagedStreamText(options: {
  system: Instructions | undefined;
  toolApproval?: StreamTextOptions['toolApproval'];
  tools: ToolSet;
  injections: InjectionQueue;
}): typeof streamText {
  const managed = (call: StreamTextOptions) =>
    streamText(buildManagedOptions(call, options) as StreamTextOptions);
  return managed as typeof streamText;
}

/** The options the managed `streamText` passes to the AI SDK's; exported for its tests. */
export function buildManagedOptions(
  call: StreamTextOptions,
  agent: {
    system: Instructions | undefined;
    toolApproval?: StreamTextOptions['toolApproval'];
    tools: ToolSet;
    injections: InjectionQueue;
  },
): StreamTextOptions {
  const callInstructions = call.instructions ?? call.system;
  if (agent.system !== undefined && callInstructions !== undefined) {
    throw new Error(
      'the system prompt is already set by chat.agent({ system }): drop `system`/`instructions` from this streamText call, or from the agent',
    );
  }
  const base = callInstructions ?? agent.system;
  const injected = agent.injections.takeInstructions();
  let isInjectionLive = injected.length > 0;
  const callPrepareStep = call.prepareStep as PrepareStepFunction<ToolSet> | undefined;
  const prepareStep: PrepareStepFunction<ToolSet> = async (step) => {
    // A step override of the instructions carries forward: an injection applied to the last
    // call is taken back by restating the base.
    const instructions = agent.injections.takeInstructions();
    const conversation = agent.injections.takeConversation();
    const managed: { instructions?: Instructions; messages?: ModelMessage[] } = {};
    if (instructions.length > 0) {
      managed.instructions = withInjections(base, instructions);
      isInjectionLive = true;
    } else if (isInjectionLive && step.stepNumber > 0) {
      managed.instructions = base ?? [];
      isInjectionLive = false;
    }
    if (conversation.length > 0) managed.messages = [...step.messages, ...conversation];
    const own = await callPrepareStep?.(
      managed.messages ? { ...step, messages: managed.messages } : step,
    );
    return { ...managed, ...own };
  };
  const { system: _system, ...rest } = call;
  const instructions = withInjections(base, injected);
  return {
    ...rest,
    ...(instructions !== undefined ? { instructions } : {}),
    tools: { ...agent.tools, ...call.tools },
    ...(call.toolApproval === undefined && agent.toolApproval !== undefined
      ? { toolApproval: agent.toolApproval }
      : {}),
    prepareStep,
  } as StreamTextOptions;
}

/** The instructions with injected system messages appended: one string when the base is one. */
function withInjections(
  base: Instructions | undefined,
  injected: SystemModelMessage[],
): Instructions | undefined {
  if (injected.length === 0) return base;
  const texts = injected.map((message) => message.content);
  if (base === undefined) return texts.join('\n\n');
  if (typeof base === 'string') return [base, ...texts].join('\n\n');
  return [...(Array.isArray(base) ? base : [base]), ...injected];
}
