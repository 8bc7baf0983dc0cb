import { getToolName, isToolUIPart, type UIMessage } from 'ai';
import { currentChatContext } from './chat-context.ts';

/**
 * The history an agent's run works on: `chat.agent`'s accumulated messages of the turn, a custom
 * agent's bound accumulator (or its checkpointed history). `chat.history` reads and edits it; the
 * turn's checkpoint keeps what it holds, and an edit made after the turn is checkpointed too.
 */
export interface HistoryAccess {
  get(): UIMessage[];
  set(messages: UIMessage[]): void;
}

/** A tool call waiting for its output or answered, as `chat.history` reports it. */
export type HistoryToolCall = { toolCallId: string; toolName: string; messageId: string };

/** A tool result of a message that the history does not hold resolved yet. */
export type NewToolResult = {
  toolCallId: string;
  toolName: string;
  output: unknown;
  /** Set for an `output-error` part only. */
  errorText?: string;
};

function access(method: string): HistoryAccess {
  const { history } = currentChatContext(`chat.history.${method}`);
  if (!history) {
    throw new Error(`chat.history.${method} needs the agent's history: call it during a run`);
  }
  return history;
}

function toolParts(message: UIMessage) {
  return message.parts.filter(isToolUIPart);
}

function isResolved(state: string): boolean {
  return state === 'output-available' || state === 'output-error';
}

function resolvedToolCalls(messages: readonly UIMessage[]): HistoryToolCall[] {
  return messages.flatMap((message) =>
    toolParts(message)
      .filter((part) => isResolved(part.state))
      .map((part) => ({
        toolCallId: part.toolCallId,
        toolName: getToolName(part),
        messageId: message.id,
      })),
  );
}

function edit(method: string, change: (messages: UIMessage[]) => UIMessage[]): void {
  const history = access(method);
  history.set(change(history.get()));
}

function indexOf(messages: readonly UIMessage[], messageId: string, method: string): number {
  const index = messages.findIndex((message) => message.id === messageId);
  if (index === -1) throw new Error(`chat.history.${method}: no message with id ${messageId}`);
  return index;
}

/**
 * Reads and edits the chat's accumulated history (Trigger.dev's `chat.history`), from any hook,
 * `run`, a tool, or a custom agent's loop. Reads are synchronous; an edit applies at once and
 * several compose. In `chat.agent` an edit made before `run` (in `onTurnStart`, say) reaches
 * the model messages `run` gets; one made during `run` or in `onBeforeTurnComplete` goes into
 * the turn's checkpoint (the model call in flight keeps the messages it was given); one made in
 * `onTurnComplete` is checkpointed right after the hook.
 */
export const history = {
  /** A copy of the accumulated UI messages. */
  all(): UIMessage[] {
    return [...access('all').get()];
  },
  /** Same as `all()`. */
  getChain(): UIMessage[] {
    return [...access('getChain').get()];
  },
  findMessage(messageId: string): UIMessage | undefined {
    return access('findMessage')
      .get()
      .find((message) => message.id === messageId);
  },
  /** Tool calls of the last assistant message still waiting for an output (`addToolOutput`). */
  getPendingToolCalls(): HistoryToolCall[] {
    const last = access('getPendingToolCalls')
      .get()
      .findLast((message) => message.role === 'assistant');
    if (!last) return [];
    return toolParts(last)
      .filter((part) => part.state === 'input-available')
      .map((part) => ({
        toolCallId: part.toolCallId,
        toolName: getToolName(part),
        messageId: last.id,
      }));
  },
  /** Every tool call of the history with an output or an error. */
  getResolvedToolCalls(): HistoryToolCall[] {
    return resolvedToolCalls(access('getResolvedToolCalls').get());
  },
  /** The tool results of `message` the history does not hold resolved yet. */
  extractNewToolResults(message: UIMessage): NewToolResult[] {
    const known = new Set(
      resolvedToolCalls(access('extractNewToolResults').get()).map((call) => call.toolCallId),
    );
    return toolParts(message)
      .filter((part) => isResolved(part.state) && !known.has(part.toolCallId))
      .map((part) => ({
        toolCallId: part.toolCallId,
        toolName: getToolName(part),
        output: part.state === 'output-available' ? part.output : undefined,
        ...(part.state === 'output-error' ? { errorText: part.errorText } : {}),
      }));
  },
  /** Replaces the whole history (same as `chat.setMessages`). */
  set(messages: UIMessage[]): void {
    access('set').set([...messages]);
  },
  remove(messageId: string): void {
    edit('remove', (messages) => messages.filter((message) => message.id !== messageId));
  },
  /** Keeps the messages up to and including `messageId` (undo). */
  rollbackTo(messageId: string): void {
    edit('rollbackTo', (messages) =>
      messages.slice(0, indexOf(messages, messageId, 'rollbackTo') + 1),
    );
  },
  /** Replaces one message by id (an edit). */
  replace(messageId: string, message: UIMessage): void {
    edit('replace', (messages) => {
      const index = indexOf(messages, messageId, 'replace');
      return [...messages.slice(0, index), message, ...messages.slice(index + 1)];
    });
  },
  /** Keeps only `messages.slice(start, end)`. */
  slice(start: number, end?: number): void {
    edit('slice', (messages) => messages.slice(start, end));
  },
} as const;

/** `chat.setMessages(messages)`: replaces the whole history (`chat.history.set`). */
export function setMessages(messages: UIMessage[]): void {
  access('set').set([...messages]);
}
