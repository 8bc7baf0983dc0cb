import type { ChatTrigger } from '@baton/protocol';
import { isToolUIPart, type UIMessage } from 'ai';

/**
 * How a message the client sends is merged into the chat's history: the one rule behind
 * `chat.agent`'s accumulation, a `MessageAccumulator` bound to its run (and so
 * `chat.createSession`) and a custom agent's checkpoint (docs/agents/human-in-the-loop.md).
 *
 * The history is the server's; the client only answers. A user message is the user's to send
 * again: a known id is an edit (the stock client's `sendMessage({ text, messageId })`, or the
 * message `regenerate()` resends) and replaces that message, dropping what followed it. An
 * assistant message is the model's: one that comes back (after `addToolApprovalResponse` or
 * `addToolOutput`) is found by id, else by the `toolCallId` of its tool parts (Trigger.dev's
 * `toolCallId -> head messageId` map: a client that named the message itself sends another id),
 * and only its tool parts' state advances. Its text, its tool inputs and any part the stored
 * message lacks are ignored, so a client cannot rewrite what the model said or asked to run.
 */

type MessagePart = UIMessage['parts'][number];
type ToolPart = Extract<MessagePart, { toolCallId: string; state: string }>;
type ToolState = ToolPart['state'];
type Approval = { id: string; approved?: boolean; reason?: string };

/** A tool part's states in the order they are reached: a client may only move a part forward. */
const TOOL_STATE_RANK: Record<ToolState, number> = {
  'input-streaming': 0,
  'input-available': 1,
  'approval-requested': 2,
  'approval-responded': 3,
  'output-available': 4,
  'output-error': 4,
  'output-denied': 4,
};

export type MergeIncomingOptions = {
  /**
   * The request's trigger. `regenerate-message` drops everything after the last incoming message
   * whatever its role (the answer being regenerated), as Trigger.dev pops the trailing answer.
   */
  trigger?: ChatTrigger;
};

/**
 * Merges the client's incoming message into `history` (the rule above). Returns a new array; the
 * messages it does not change are the same objects.
 *
 * @example
 * ```ts
 * // The stock client sends back the assistant message with the user's approval:
 * history = mergeIncomingMessage(history, payload.message, { trigger: payload.trigger });
 * ```
 */
export function mergeIncomingMessage(
  history: readonly UIMessage[],
  incoming: UIMessage,
  options: MergeIncomingOptions = {},
): UIMessage[] {
  return mergeIncomingMessages(history, [incoming], options);
}

/**
 * Merges several incoming messages, in order: each known one in place, each new one appended.
 * Only the last one ends what follows it (a known user message, or any with `regenerate-message`),
 * so a loop that seeds `[...storedHistory, payload.message]` from its own store ends with the
 * history a loop passing `[payload.message]` has.
 */
export function mergeIncomingMessages(
  history: readonly UIMessage[],
  incoming: readonly UIMessage[],
  options: MergeIncomingOptions = {},
): UIMessage[] {
  const merged = [...history];
  let lastIndex = -1;
  let isLastKnownUser = false;
  for (const message of incoming) {
    const index = findIncomingTarget(merged, message);
    const stored = index === -1 ? undefined : merged[index];
    isLastKnownUser = false;
    if (!stored) {
      merged.push(message);
      lastIndex = merged.length - 1;
    } else if (stored.role === 'assistant') {
      // A user message cannot take an assistant message's place, nor the reverse (below).
      if (message.role === 'assistant') merged[index] = overlayToolState(stored, message);
      lastIndex = index;
    } else {
      if (message.role !== 'assistant') {
        merged[index] = { ...message, id: stored.id };
        isLastKnownUser = true;
      }
      lastIndex = index;
    }
  }
  const shouldDropRest = isLastKnownUser || options.trigger === 'regenerate-message';
  return shouldDropRest && lastIndex !== -1 ? merged.slice(0, lastIndex + 1) : merged;
}

/**
 * Where `incoming` goes in `history`: the message with its id, else (an assistant message) the
 * last assistant message holding one of its tool calls; -1 for a new message.
 */
export function findIncomingTarget(history: readonly UIMessage[], incoming: UIMessage): number {
  const index = history.findIndex((message) => message.id === incoming.id);
  if (index !== -1 || incoming.role !== 'assistant') return index;
  const toolCallIds = new Set(toolPartsOf(incoming).map((part) => part.toolCallId));
  if (toolCallIds.size === 0) return -1;
  return history.findLastIndex(
    (message) =>
      message.role === 'assistant' &&
      toolPartsOf(message).some((part) => toolCallIds.has(part.toolCallId)),
  );
}

/**
 * `stored` with the tool states `incoming` advances (matched by `toolCallId`): an approval
 * answer, or a client-side tool's output or error. Everything else is the stored message's. The
 * same object when nothing advances.
 */
export function overlayToolState(stored: UIMessage, incoming: UIMessage): UIMessage {
  const answers = new Map(toolPartsOf(incoming).map((part) => [part.toolCallId, part]));
  let hasChanged = false;
  const parts = stored.parts.map((part) => {
    if (!isToolUIPart(part)) return part;
    const answer = answers.get(part.toolCallId);
    const advanced = answer ? advanceToolPart(part, answer) : part;
    if (advanced !== part) hasChanged = true;
    return advanced;
  });
  return hasChanged ? { ...stored, parts } : stored;
}

/**
 * The stored part moved to the answer's state, with only that state's fields taken from the
 * answer (`approval.approved` and `reason`, `output`, `errorText`); the stored part unchanged when
 * the answer does not move it forward in a way a client may.
 */
export function advanceToolPart(stored: ToolPart, answer: ToolPart): ToolPart {
  if (TOOL_STATE_RANK[answer.state] <= TOOL_STATE_RANK[stored.state]) return stored;
  const {
    state: _state,
    output: _output,
    errorText: _errorText,
    approval: _approval,
    ...base
  } = stored as ToolPart & { output?: unknown; errorText?: unknown; approval?: Approval };
  const storedApproval = stored.approval as Approval | undefined;
  const answerApproval = answer.approval as Approval | undefined;
  // An output keeps the approval only when the tool was approved, as the AI SDK client does.
  const approvedApproval = storedApproval?.approved === true ? { approval: storedApproval } : {};
  switch (answer.state) {
    case 'approval-responded':
      // Only the approval the stored part asked for, under its id (and signature).
      if (
        stored.state !== 'approval-requested' ||
        !storedApproval ||
        answerApproval?.id !== storedApproval.id ||
        typeof answerApproval.approved !== 'boolean'
      ) {
        return stored;
      }
      return {
        ...base,
        state: 'approval-responded',
        approval: {
          ...storedApproval,
          approved: answerApproval.approved,
          ...reasonOf(answerApproval),
        },
      } as ToolPart;
    case 'output-available':
      if (!isAwaitingOutput(stored)) return stored;
      return {
        ...base,
        ...approvedApproval,
        state: 'output-available',
        output: answer.output,
      } as ToolPart;
    case 'output-error':
      if (!isAwaitingOutput(stored)) return stored;
      return {
        ...base,
        ...approvedApproval,
        state: 'output-error',
        errorText: String(answer.errorText),
      } as ToolPart;
    case 'output-denied':
      // A denial answers an approval request; a tool that asked for none cannot be denied.
      if (!storedApproval || storedApproval.approved === true) return stored;
      return {
        ...base,
        state: 'output-denied',
        approval: {
          ...storedApproval,
          approved: false,
          ...reasonOf(answerApproval ?? storedApproval),
        },
      } as ToolPart;
    default:
      // A client never moves a part to a state only the model reaches.
      return stored;
  }
}

/**
 * Whether a client may answer the call with an output: it waits on no approval (a client-side
 * tool), or it was approved. An approval request is answered with an approval, not an output.
 */
function isAwaitingOutput(part: ToolPart): boolean {
  return (
    part.state === 'input-available' ||
    (part.state === 'approval-responded' && (part.approval as Approval).approved === true)
  );
}

function reasonOf(approval: Approval): { reason?: string } {
  return typeof approval.reason === 'string' ? { reason: approval.reason } : {};
}

function toolPartsOf(message: UIMessage): ToolPart[] {
  return message.parts.filter(isToolUIPart) as ToolPart[];
}
