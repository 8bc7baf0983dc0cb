import type { ChatTrigger } from '@baton/protocol';
import type { ToolSet, UIMessage } from 'ai';
import type {
  ChatAgentHooks,
  HydrateMessagesEvent,
  ResolveToolsEvent,
} from './chat-agent-hooks.ts';
import type { ChatAgentOptions, ClientDataOf } from './chat-agent-options.ts';
import type { Logger } from './logger.ts';
import {
  findIncomingTarget,
  mergeIncomingMessages,
  overlayToolState,
} from './merge-incoming-message.ts';
import type { StandardSchema } from './standard-schema.ts';

/**
 * The incoming side of a turn, in Trigger.dev's order: `onValidateMessages`, then
 * `hydrateMessages`, then accumulation.
 */

/** The messages this turn accumulates: what `onValidateMessages` returns, else the incoming one. */
export async function validateIncoming(
  hooks: Pick<ChatAgentHooks<unknown>, 'onValidateMessages'>,
  event: Parameters<NonNullable<ChatAgentHooks<unknown>['onValidateMessages']>>[0],
): Promise<UIMessage[]> {
  if (!hooks.onValidateMessages) return event.messages;
  return await hooks.onValidateMessages(event);
}

/**
 * The runtime's accumulation (merge-incoming-message.ts, the rule custom agents share): a new
 * message is appended; a known user message is an edit (replaced, what followed dropped); an
 * assistant message coming back with a tool approval or a client-side tool's output advances only
 * its tool parts' state; `regenerate-message` drops the answer being regenerated.
 */
export function accumulate(
  history: UIMessage[],
  incoming: readonly UIMessage[],
  trigger?: ChatTrigger,
): UIMessage[] {
  return mergeIncomingMessages(history, incoming, trigger ? { trigger } : {});
}

/**
 * `hydrateMessages`: the history the author's store returns replaces the runtime's. The runtime
 * then overlays the wire's tool-state advances, as Trigger.dev does: an incoming assistant message
 * the hydrated history holds (by id or tool call id) advances its tool parts' state; an incoming
 * user message it holds replaces that entry in place; one it lacks is not added (the hook adds
 * it, as Trigger.dev's does).
 */
export async function hydrateHistory<ClientData>(
  hook: NonNullable<ChatAgentHooks<ClientData>['hydrateMessages']>,
  event: HydrateMessagesEvent<ClientData>,
): Promise<UIMessage[]> {
  const hydrated = [...(await hook(event))];
  for (const message of event.incomingMessages) {
    const index = findIncomingTarget(hydrated, message);
    const stored = hydrated[index];
    if (!stored || stored.role !== message.role) continue;
    hydrated[index] =
      stored.role === 'assistant'
        ? overlayToolState(stored, message)
        : { ...message, id: stored.id };
  }
  return hydrated;
}

let hasWarnedHydrateMessages = false;

/** Trigger.dev 4.6 deprecated `hydrateMessages` with a one-time warning; so does Baton. */
export function warnHydrateMessagesOnce(logger: Logger): void {
  if (hasWarnedHydrateMessages) return;
  hasWarnedHydrateMessages = true;
  logger.warn(
    {},
    'hydrateMessages is deprecated (as in Trigger.dev 4.6): the chat checkpoint already holds the history; it is still written with this hook',
  );
}

/** The turn's tools: the agent's set, or what its per-turn function returns. */
export async function resolveTools<
  Schema extends StandardSchema | undefined,
  Tools extends ToolSet,
>(
  options: Pick<ChatAgentOptions<Schema, Tools>, 'tools'>,
  event: ResolveToolsEvent<ClientDataOf<Schema>>,
): Promise<Tools> {
  const { tools } = options;
  if (typeof tools === 'function') return await tools(event);
  return tools ?? ({} as Tools);
}

export function lastAssistant(messages: UIMessage[]): UIMessage | undefined {
  const last = messages.at(-1);
  return last?.role === 'assistant' ? last : undefined;
}

/** A recovered turn may continue an assistant message that has no part yet: not for the model. */
export function withoutEmptyLastMessage(messages: UIMessage[]): UIMessage[] {
  return messages.at(-1)?.parts.length === 0 ? messages.slice(0, -1) : messages;
}
