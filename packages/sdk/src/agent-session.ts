import type { ChatTrigger, TurnStatus, Usage } from '@baton/protocol';
import type { UIMessage, UIMessageChunk } from 'ai';
import type { Logger } from './logger.ts';
import type { TurnRecovery } from './turn-recovery.ts';

/** A message taken from the chat's input stream, to be answered by one turn. */
export type SessionMessage = {
  /** Position in the input stream; the turn's checkpoint marks it handled. */
  inputId: string;
  message: UIMessage;
  trigger: ChatTrigger;
  /** The request's `messageId` (the edited or regenerated message), if any. */
  messageId: string | undefined;
  clientData: Record<string, unknown> | undefined;
  /** Set for a custom action (the request body's `action`): `onAction` gets it. */
  action?: unknown;
  /** Set when this message's turn was in flight when its run died: the turn is recovered. */
  recovery?: TurnRecovery;
  /**
   * Runs that took this message on, this one included: 1 the first time; more when earlier runs
   * died or failed before its turn completed, even before the turn started. Counted durably when
   * a run claims the chat, so the recovery budget holds whatever a run fails at. @default 1
   */
  attempt?: number;
};

/** What a run finds when it claims a chat: the checkpoint and the counters. */
export type SessionState = {
  chatId: string;
  agentId: string;
  /** The BullMQ job that runs this chat now. */
  runId: string;
  /** Completed turns so far; the next turn's 0-based number. */
  turns: number;
  totalUsage: Usage;
  /** The accumulated UI messages (the checkpoint). */
  messages: UIMessage[];
  /**
   * The chat ran before and was suspended (idle) or handed over: this run resumes it. A preloaded
   * chat that suspended before its first message is resumed too (`onChatResume`, phase `preload`).
   */
  isResume: boolean;
  /**
   * The chat was started by a preload (`POST /v1/sessions` with `preload: true`,
   * docs/agents/preload.md): every event of its runs has `preloaded: true`. With `isResume` false
   * and no turn yet, this is the run the preload started: it calls `onPreload`, then waits for
   * the first message.
   */
  preloaded?: boolean;
  /** The client data the session was created (or preloaded) with: what `onPreload` gets. */
  sessionClientData?: Record<string, unknown>;
  /**
   * Trigger.dev's meaning: this run follows one that ended abnormally (a crash). A plain resume
   * after an idle suspend is not a continuation.
   */
  continuation: boolean;
  /**
   * The agent state the last checkpoint kept (`chat.local` values, queued `chat.inject`
   * messages), serialized by the SDK; opaque to the worker. Undefined when none was kept.
   */
  agentState?: string;
};

export type WaitForMessageOptions = {
  idleTimeoutMs: number;
  onSuspend?: () => Promise<void>;
};

export type WaitForMessageResult =
  | { ok: true; message: SessionMessage }
  /**
   * `suspended`: idle past the timeout, the chat is checkpointed and released; the next message
   * re-enters the agent on any worker. `handed-over`: the worker is draining and another worker
   * continues the chat. `cancelled`: the run lost its lease.
   */
  | { ok: false; reason: 'suspended' | 'handed-over' | 'cancelled' };

/**
 * How the SDK talks to a chat's durable session, without knowing Redis or BullMQ
 * (docs/architecture.md, "Shape"). The worker implements it on the session store; tests may
 * implement it in memory.
 */
export interface AgentSession {
  readonly state: SessionState;
  /** Carries the chat id, run id and worker id. */
  readonly logger: Logger;
  /** Aborts when this run may no longer write the chat: lease lost or forced shutdown. */
  readonly cancelSignal: AbortSignal;
  /**
   * The next message, waiting warm up to `idleTimeoutMs`; after that the session suspends, unless
   * a message arrived in the meantime. `onSuspend` runs first whenever the chat is about to leave
   * this worker with nothing to answer (idle past the timeout, or handed over at a drain), while
   * the run still holds it; if a message arrives meanwhile, the wait returns it instead.
   */
  waitForMessage(options: WaitForMessageOptions): Promise<WaitForMessageResult>;
  /**
   * Ends this run between turns (`maxTurns`): the chat suspends when nothing waits to be
   * answered, else it goes back to the queue for a new run on any worker.
   */
  endRun(): Promise<'suspended' | 'handed-over'>;
  /**
   * Writes the turn's `turn-start` and opens its output. A recovered turn writes `turn-retry`
   * instead. Called before anything of the turn can fail, so every attempt is on record.
   */
  startTurn(start: TurnStart): Promise<TurnChannel>;
  /**
   * The next message waiting to be answered, without taking it (`chat.messages.peek`): what
   * `waitForMessage` would resolve now. Undefined when none waits.
   */
  peekMessage(): Promise<SessionMessage | undefined>;
  /**
   * Closes the chat for good (`chat.close`): later messages are refused, followers of the output
   * see a `session-closed` record. Fences this run off, so it must be the run's last write; the
   * run then ends and nothing continues the chat.
   */
  closeChat(reason: string | undefined): Promise<void>;
  /**
   * Checkpoints between turns what the agent changed after its turn's checkpoint (`chat.history`
   * edits or `chat.local` values set in `onTurnComplete`, work of `chat.defer`). Fenced like
   * every write of the run.
   */
  saveCheckpoint(checkpoint: Checkpoint): Promise<void>;
}

/** A checkpoint written between turns. */
export type Checkpoint = {
  messages: UIMessage[];
  /** How many leading messages are unchanged since the last checkpoint. */
  keepCount: number;
  /** The serialized agent state; undefined keeps the stored one. */
  agentState?: string;
};

/** A turn about to start: its number, the message it answers, and whether it is recovered. */
export type TurnStart = {
  turn: number;
  inputId: string;
  /** Set for a turn whose previous run died: write `turn-retry`. */
  recovery?: { attempt: number };
};

/** The end of a turn: what its checkpoint holds. */
export type TurnEnd = {
  status: TurnStatus;
  /** The accumulated UI messages after the turn. */
  messages: UIMessage[];
  /** How many leading messages are unchanged since the last checkpoint. */
  keepCount: number;
  totalUsage: Usage;
  /** The serialized agent state, when it changed; undefined keeps the stored one. */
  agentState?: string;
  /**
   * False for an action that asked for no turn: its request is answered (`turn-complete`), the
   * turn count stays. @default true
   */
  countsAsTurn?: boolean;
};

/** The output of one turn. */
export interface TurnChannel {
  /** Aborts when the user stops this turn (`POST /api/chat/:id/stop`). */
  readonly stopSignal: AbortSignal;
  /** Queues a chunk; chunks are written in batches, in order. */
  write(chunk: UIMessageChunk): void;
  /** Flushes the output, then checkpoints and writes `turn-complete`, atomically. */
  complete(end: TurnEnd): Promise<void>;
}
