import { AsyncLocalStorage } from 'node:async_hooks';
import type { CloseRequest } from './chat-close.ts';
import type { ChatRun } from './custom-agent/chat-run.ts';
import type { RuntimeSettings } from './runtime-settings.ts';

/**
 * The run of a chat that an agent's code runs for, so that `chat.*` (the setters, `chat.close`,
 * and for a custom agent `chat.messages`, `chat.pipe`, `chat.writeTurnComplete`, a
 * `MessageAccumulator` created in `run`) reach it without being handed it, as Trigger.dev's do
 * inside a task. One per run of a chat; a worker runs many chats at once, each in its own async
 * context.
 */
export type ChatContext = {
  /** What `chat.setIdleTimeoutInSeconds` changes for the rest of the run. */
  settings: RuntimeSettings;
  /** Set by `chat.close`; the agent's loop applies it. */
  closeRequest: CloseRequest;
  /** A custom agent's run, which its primitives act on; `chat.agent` has none. */
  run?: ChatRun;
};

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
      `${primitive} was called outside an agent's run: call it from run() or a hook of chat.agent or chat.customAgent (or from code they await)`,
    );
  }
  return context;
}

/** The custom agent's run the calling code runs for; a clear error anywhere else. */
export function currentChatRun(primitive: string): ChatRun {
  const { run } = currentChatContext(primitive);
  if (!run) {
    throw new Error(
      `${primitive} is a primitive of custom agents: chat.agent runs its turns itself`,
    );
  }
  return run;
}
