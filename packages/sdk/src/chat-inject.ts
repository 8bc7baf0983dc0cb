import type { ModelMessage, SystemModelMessage } from 'ai';
import { currentChatContext } from './chat-context.ts';

/**
 * The model messages `chat.inject` queued, kept until an inference call takes them: a system
 * message goes to the instructions of the managed `streamText`, the others join the conversation
 * at the next turn's start or the next step. Checkpointed with the agent state, so a queue filled
 * between turns survives a suspend and reaches the next turn on any worker.
 */
export class InjectionQueue {
  #messages: ModelMessage[];
  #isDirty = false;

  constructor(restored: ModelMessage[] = []) {
    this.#messages = [...restored];
  }

  get isDirty(): boolean {
    return this.#isDirty;
  }

  get messages(): readonly ModelMessage[] {
    return this.#messages;
  }

  push(messages: readonly ModelMessage[]): void {
    if (messages.length === 0) return;
    this.#messages.push(...messages);
    this.#isDirty = true;
  }

  /** Takes the queued conversation messages (not system ones). */
  takeConversation(): ModelMessage[] {
    return this.#take((message) => message.role !== 'system') as ModelMessage[];
  }

  /** Takes the queued system messages, for the instructions of the next inference call. */
  takeInstructions(): SystemModelMessage[] {
    return this.#take((message) => message.role === 'system') as SystemModelMessage[];
  }

  /** For the checkpoint; the queue is clean afterwards. */
  snapshot(): ModelMessage[] {
    this.#isDirty = false;
    return [...this.#messages];
  }

  #take(predicate: (message: ModelMessage) => boolean): ModelMessage[] {
    const taken = this.#messages.filter(predicate);
    if (taken.length === 0) return [];
    this.#messages = this.#messages.filter((message) => !predicate(message));
    this.#isDirty = true;
    return taken;
  }
}

/**
 * `chat.inject(messages)`: queues model messages for the next inference call, from anywhere in
 * an agent's run (a hook, `chat.defer` work, a tool). A `system` message is appended to the
 * instructions of the managed `streamText` (`run`'s `streamText`) for one call; any other role
 * joins the conversation before `run` at the next turn's start, or at the next step of the
 * current one. The queue survives the idle wait, suspends and moves to other workers.
 */
export function inject(messages: ModelMessage[]): void {
  currentChatContext('chat.inject').injections.push(messages);
}
