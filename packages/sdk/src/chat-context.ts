import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChatRun } from './custom-agent/chat-run.ts';

/**
 * The chat an agent's code runs for, so that the `chat.*` primitives (`chat.messages`,
 * `chat.pipe`, `chat.writeTurnComplete`, a `MessageAccumulator` created in `run`) resolve to its
 * streams without being handed it, as Trigger.dev's do inside a task. One per run of a chat; a
 * worker runs many chats at once, each in its own async context.
 */
export type ChatContext = { run: ChatRun };

const storage = new AsyncLocalStorage<ChatContext>();

/** Runs `fn` (and everything it awaits or schedules) bound to `context`. */
export function runWithChatContext<T>(context: ChatContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The chat the calling code runs for, if any. */
export function findChatContext(): ChatContext | undefined {
  return storage.getStore();
}

/** The chat the calling code runs for; a clear error outside an agent's run. */
export function currentChatContext(primitive: string): ChatContext {
  const context = storage.getStore();
  if (!context) {
    throw new Error(
      `${primitive} was called outside an agent's run: call it from the run() of chat.customAgent or chat.agent (or from code they await)`,
    );
  }
  return context;
}
