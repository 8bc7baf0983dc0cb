import type { ChatTrigger } from '@baton/protocol';
import { convertToModelMessages, type ModelMessage, type UIMessage } from 'ai';
import { findChatContext } from '../chat-context.ts';
import { cleanupAbortedParts } from '../cleanup-aborted-parts.ts';

/** Options of Trigger.dev's accumulator; `compaction` and `pendingMessages` come later. */
export type MessageAccumulatorOptions = Record<string, never>;

let generatedIds = 0;

/**
 * The conversation of a hand-rolled loop (Trigger.dev's `chat.MessageAccumulator`): UI messages
 * for persistence and model messages for `streamText`.
 *
 * Created inside a custom agent's run it is bound to its chat (docs/agents/custom-agents.md): it starts
 * from the chat's checkpoint, the chat checkpoints its history at each turn's end, and its first
 * `addIncoming` of a run merges what it is given into that history by message id, so a loop that
 * passes only the new message and a loop that seeds `[...stored, ...incoming]` from its own store
 * end with the same history. Every later `addIncoming` puts a known id in place and appends a new
 * one; when the last message passed was known (an edit, a regeneration, a message coming back
 * with tool outputs), what followed it is dropped, as the AI SDK client does. Created outside a
 * run (a unit test) it keeps Trigger.dev's rule: turn 0 and `regenerate-message` replace the
 * history, other turns append.
 */
export class MessageAccumulator {
  uiMessages: UIMessage[] = [];
  modelMessages: ModelMessage[] = [];
  readonly #isBound: boolean;

  constructor(_options: MessageAccumulatorOptions = {}) {
    const run = findChatContext()?.run;
    this.#isBound = run !== undefined;
    if (run) {
      this.uiMessages = [...run.messages];
      run.bindTranscript(this);
    }
  }

  /** Adds the turn's incoming messages; resolves the whole conversation as model messages. */
  async addIncoming(
    messages: UIMessage[],
    trigger: ChatTrigger,
    turn: number,
  ): Promise<ModelMessage[]> {
    if (this.#isBound) {
      this.uiMessages = mergeById(this.uiMessages, messages, { truncateAfterKnownLast: true });
    } else if (turn === 0 || trigger === 'regenerate-message') {
      this.uiMessages = messages.map((message) =>
        message.role === 'assistant' ? cleanupAbortedParts(message) : message,
      );
    } else {
      this.uiMessages = [...this.uiMessages, ...messages];
    }
    await this.#convert();
    return this.modelMessages;
  }

  /** Adds the response: a known id replaces that message in place, a new one is appended. */
  async addResponse(message: UIMessage): Promise<void> {
    const response = message.id ? message : { ...message, id: `response-${++generatedIds}` };
    this.uiMessages = mergeById(this.uiMessages, [response], { truncateAfterKnownLast: false });
    await this.#convert();
  }

  /** Replaces the whole conversation (history edits, seeding, compaction). */
  async setMessages(messages: UIMessage[]): Promise<void> {
    this.uiMessages = [...messages];
    await this.#convert();
  }

  /** The `prepareStep` for `streamText` (compaction and steering come later: none for now). */
  prepareStep(): undefined {
    return undefined;
  }

  async #convert(): Promise<void> {
    this.modelMessages = await convertToModelMessages(this.uiMessages, {
      ignoreIncompleteToolCalls: true,
    });
  }
}

/**
 * Puts `incoming` into `history` by id: a known id replaces its message in place, a new one is
 * appended. With `truncateAfterKnownLast`, when the last incoming message was known, everything
 * after it goes (what the AI SDK client means by resending a known message).
 */
function mergeById(
  history: readonly UIMessage[],
  incoming: readonly UIMessage[],
  options: { truncateAfterKnownLast: boolean },
): UIMessage[] {
  const merged = [...history];
  let lastIndex = -1;
  let isLastKnown = false;
  for (const message of incoming) {
    const index = merged.findIndex((existing) => existing.id === message.id);
    if (index === -1) {
      merged.push(message);
      lastIndex = merged.length - 1;
      isLastKnown = false;
    } else {
      merged[index] = message;
      lastIndex = index;
      isLastKnown = true;
    }
  }
  return options.truncateAfterKnownLast && isLastKnown ? merged.slice(0, lastIndex + 1) : merged;
}
