import type { ChatTrigger } from '@baton/protocol';
import { convertToModelMessages, type ModelMessage, type UIMessage } from 'ai';
import { findChatContext } from '../chat-context.ts';
import { cleanupAbortedParts } from '../cleanup-aborted-parts.ts';
import { mergeIncomingMessages } from '../merge-incoming-message.ts';
import { generateMessageId } from '../to-chunk-stream.ts';
import type { ChatRun } from './chat-run.ts';

/** Options of Trigger.dev's accumulator; `compaction` and `pendingMessages` come later. */
export type MessageAccumulatorOptions = Record<string, never>;

/**
 * The conversation of a hand-rolled loop (Trigger.dev's `chat.MessageAccumulator`): UI messages
 * for persistence and model messages for `streamText`.
 *
 * Created inside a custom agent's run it is bound to its chat (docs/agents/custom-agents.md): it starts
 * from the chat's checkpoint, the chat checkpoints its history at each turn's end, and
 * `addIncoming` merges what it is given into that history with `chat.agent`'s rule
 * (docs/agents/human-in-the-loop.md): a new message is appended, a known one stays in place; the
 * last one, when it is a known user message (an edit, a regeneration), drops what followed it; an
 * assistant message coming back with a tool approval or a client-side tool's output advances only
 * its tool parts' state; the message of a custom action (`payload.action`) is not a new message
 * and is left out. So a loop that passes only the new message and a loop that seeds
 * `[...stored, ...incoming]` from its own store end with the same history. Created outside a run
 * (a unit test) it keeps Trigger.dev's rule: turn 0 and `regenerate-message` replace the history,
 * other turns append.
 */
export class MessageAccumulator {
  uiMessages: UIMessage[] = [];
  modelMessages: ModelMessage[] = [];
  /** The run the accumulator is bound to, when created inside one. */
  readonly #run: ChatRun | undefined;

  constructor(_options: MessageAccumulatorOptions = {}) {
    const run = findChatContext()?.run;
    this.#run = run;
    if (run) {
      this.uiMessages = [...run.messages];
      run.bindTranscript(this);
    }
  }

  /**
   * Adds the turn's incoming messages; resolves the whole conversation as model messages. A
   * preload payload's `trigger` (`"preload"`, no message) adds as a submit would.
   */
  async addIncoming(
    messages: UIMessage[],
    wireTrigger: ChatTrigger | 'preload',
    turn: number,
  ): Promise<ModelMessage[]> {
    const trigger = wireTrigger === 'preload' ? 'submit-message' : wireTrigger;
    const run = this.#run;
    if (run) {
      const incoming = messages.filter((message) => !run.isActionMessage(message));
      this.uiMessages = mergeIncomingMessages(this.uiMessages, incoming, { trigger });
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
    // A fresh id unique across processes: a later run of the chat must not reuse it.
    const response = message.id ? message : { ...message, id: generateMessageId() };
    const index = this.uiMessages.findIndex((existing) => existing.id === response.id);
    this.uiMessages =
      index === -1 ? [...this.uiMessages, response] : this.uiMessages.with(index, response);
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
