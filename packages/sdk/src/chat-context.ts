import { AsyncLocalStorage } from 'node:async_hooks';
import type { UIMessageChunk } from 'ai';
import type { AgentSession } from './agent-session.ts';
import { readAgentState, serializeAgentState } from './agent-state.ts';
import { type CloseRequest, createCloseRequest } from './chat-close.ts';
import { Deferrals, type OutputGate } from './chat-defer.ts';
import type { HistoryAccess } from './chat-history.ts';
import { InjectionQueue } from './chat-inject.ts';
import { LocalStore } from './chat-local.ts';
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
  /** `chat.local` values, restored from the checkpoint. */
  locals: LocalStore;
  /** What `chat.inject` queued, restored from the checkpoint. */
  injections: InjectionQueue;
  /** Work of `chat.defer`. */
  deferrals: Deferrals;
  /** Set by `chat.endRun`: the run ends after the current turn. */
  endRunRequest: { isRequested: boolean };
  /** What `chat.history` reads and edits; set by the agent's loop. */
  history?: HistoryAccess;
  /** The turn in progress, which `chat.response` and `chat.stream` write into. */
  turn?: TurnScope;
  /**
   * Whether the agent's transcript storage may lack what the checkpoint holds (`isBehind`), and
   * what the checkpoint last recorded of it (`stored`): kept in the agent state, so that a run
   * after a failed or unconfirmed save brings the storage up to date.
   */
  transcriptSync: { isBehind: boolean; stored: boolean };
};

/** The turn in progress, as the `chat.*` writers reach it. */
export type TurnScope = {
  /** Writes into the turn's response: streamed, and persisted unless a transient data chunk. */
  write(chunk: UIMessageChunk): void;
  /** Writes to the output only: streamed, never part of the response (`chat.stream`). */
  writeEphemeral(chunk: UIMessageChunk): void;
  /** Holds the output back while `chat.deferBeforeOutput` work runs. */
  gate: OutputGate;
  stopSignal: AbortSignal;
};

/** A fresh context for one run of a chat, with the agent state its checkpoint kept. */
export function createChatContext(
  session: AgentSession,
  settings: RuntimeSettings,
  run?: ChatRun,
): ChatContext {
  const state = readAgentState(session.state.agentState, session.logger);
  return {
    settings,
    closeRequest: createCloseRequest(),
    ...(run ? { run } : {}),
    locals: new LocalStore(state.locals),
    injections: new InjectionQueue(state.injections),
    deferrals: new Deferrals(session.logger),
    endRunRequest: { isRequested: false },
    transcriptSync: {
      isBehind: state.transcriptBehind === true,
      stored: state.transcriptBehind === true,
    },
  };
}

/** Whether the agent state changed since the last checkpoint took it. */
export function isAgentStateDirty(context: ChatContext): boolean {
  const { transcriptSync } = context;
  return (
    context.locals.isDirty ||
    context.injections.isDirty ||
    transcriptSync.isBehind !== transcriptSync.stored
  );
}

/**
 * The agent state for a checkpoint: serialized when it changed since the last one, else
 * undefined (the checkpoint keeps what it holds).
 */
export function takeAgentState(context: ChatContext, session: AgentSession): string | undefined {
  if (!isAgentStateDirty(context)) return undefined;
  const { transcriptSync } = context;
  transcriptSync.stored = transcriptSync.isBehind;
  return serializeAgentState(
    {
      locals: context.locals.snapshot(),
      injections: context.injections.snapshot(),
      ...(transcriptSync.isBehind ? { transcriptBehind: true } : {}),
    },
    session.logger,
  );
}

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
