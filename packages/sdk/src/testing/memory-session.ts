import { EMPTY_USAGE, type TurnStatus, type Usage } from '@baton/protocol';
import type { UIMessage, UIMessageChunk } from 'ai';
import type { RunEndReason } from '../agent-definition.ts';
import type {
  AgentSession,
  Checkpoint,
  SessionMessage,
  SessionState,
  TurnChannel,
  TurnEnd,
  TurnStart,
  WaitForMessageOptions,
  WaitForMessageResult,
} from '../agent-session.ts';
import { type Logger, SILENT_LOGGER } from '../logger.ts';
import type { TurnRecovery } from '../turn-recovery.ts';

/** One turn as the in-memory session recorded it. */
export type RecordedTurn = {
  turn: number;
  inputId: string;
  chunks: UIMessageChunk[];
  status: TurnStatus | undefined;
  end: TurnEnd | undefined;
};

/**
 * An `AgentSession` in memory, for running an agent offline in a unit test: queue messages with
 * `send`, run the agent's `runSession`, read what each turn wrote. When the queue is empty the
 * session suspends at once (the idle timeout is not waited out; `onSuspend` runs first, and a
 * message it sends is answered instead). Running `runSession` again after that is the next run
 * of the chat, as a worker would start it: a resume from the checkpoint, under a new run id.
 * `mockChatAgent` drives one for a test (docs/agents/testing.md); this is the lower level.
 */
export class MemorySession implements AgentSession {
  readonly logger: Logger;
  /** How each run ended, in order. */
  readonly runEnds: RunEndReason[] = [];
  readonly turns: RecordedTurn[] = [];
  /** Set once the chat was closed (`chat.close`): the reason, or null without one. */
  closedReason: string | null | undefined;
  /** The checkpoint: what a worker would persist after each turn. */
  messages: UIMessage[];
  totalUsage: Usage;
  /** The checkpointed agent state (`chat.local` values, queued injections), serialized. */
  agentState: string | undefined;
  readonly #cancelController = new AbortController();
  readonly #queue: SessionMessage[] = [];
  #nextInputId = 1;
  #stopActiveTurn: ((reason: string) => void) | undefined;
  #state: SessionState;
  #completedTurns: number;

  constructor(
    options: {
      chatId?: string;
      /** The checkpoint a run finds: a chat that ran before. */
      messages?: UIMessage[];
      /** Completed turns of the chat that ran before. @default 0 */
      turns?: number;
      /** The first run follows one that died (Trigger.dev's continuation). @default false */
      continuation?: boolean;
      /**
       * The chat was preloaded (`POST /v1/sessions` with `preload: true`): the first run is the
       * preloaded run (`onPreload`, then the wait for the first message). @default false
       */
      preloaded?: boolean;
      /** The session's client data (`POST /v1/sessions` `clientData`): what `onPreload` gets. */
      sessionClientData?: Record<string, unknown>;
      logger?: Logger;
    } = {},
  ) {
    this.messages = options.messages ?? [];
    this.totalUsage = { ...EMPTY_USAGE };
    this.logger = options.logger ?? SILENT_LOGGER;
    this.#completedTurns = options.turns ?? 0;
    this.#state = {
      chatId: options.chatId ?? 'memory-chat',
      agentId: 'memory-agent',
      runId: 'memory-run',
      turns: this.#completedTurns,
      totalUsage: this.totalUsage,
      messages: this.messages,
      isResume: this.#completedTurns > 0,
      continuation: options.continuation ?? false,
      ...(options.preloaded ? { preloaded: true } : {}),
      ...(options.sessionClientData ? { sessionClientData: options.sessionClientData } : {}),
    };
  }

  /** What the current run found when it claimed the chat. */
  get state(): SessionState {
    return this.#state;
  }

  get cancelSignal(): AbortSignal {
    return this.#cancelController.signal;
  }

  get isClosed(): boolean {
    return this.closedReason !== undefined;
  }

  /** How many messages wait to be answered. */
  get queueLength(): number {
    return this.#queue.length;
  }

  /**
   * Queues a message for the next turn; resolves its input id (the `inputId` of its turn). Throws
   * once the chat is closed, as the gateway's 409.
   */
  send(
    message: UIMessage,
    options: {
      clientData?: Record<string, unknown>;
      trigger?: SessionMessage['trigger'];
      /** The request's `messageId` (an edited, regenerated or tool-answered message). */
      messageId?: string;
      /** Deliver the message as a turn whose earlier run died after writing these chunks. */
      recovery?: TurnRecovery;
      /** Runs that took the message on, this one included (earlier ones failed). @default 1 */
      attempt?: number;
      /** A custom action (the request body's `action`) for `onAction`. */
      action?: unknown;
    } = {},
  ): string {
    if (this.isClosed) throw new Error('SESSION_CLOSED: the chat was closed');
    const inputId = `0-${this.#nextInputId++}`;
    this.#queue.push({
      inputId,
      message,
      trigger: options.trigger ?? 'submit-message',
      messageId: options.messageId,
      clientData: options.clientData,
      ...(options.recovery ? { recovery: options.recovery } : {}),
      ...(options.attempt ? { attempt: options.attempt } : {}),
      ...(options.action !== undefined ? { action: options.action } : {}),
    });
    return inputId;
  }

  /** Stops the turn in flight, as `POST /api/chat/:id/stop` does. */
  stop(): void {
    this.#stopActiveTurn?.('stopped');
  }

  cancel(reason: unknown): void {
    this.#cancelController.abort(reason);
  }

  async waitForMessage(options?: WaitForMessageOptions): Promise<WaitForMessageResult> {
    if (this.cancelSignal.aborted) return this.#endRun('cancelled');
    const queued = this.#queue.shift();
    if (queued) return { ok: true, message: queued };
    await options?.onSuspend?.();
    // A message sent while the chat was about to suspend keeps it on this run.
    const message = this.#queue.shift();
    return message ? { ok: true, message } : this.#endRun('suspended');
  }

  async peekMessage(): Promise<SessionMessage | undefined> {
    return this.#queue[0];
  }

  async closeChat(reason: string | undefined): Promise<void> {
    if (this.isClosed) return;
    this.closedReason = reason ?? null;
    this.runEnds.push('closed');
    this.#queue.length = 0;
  }

  async saveCheckpoint(checkpoint: Checkpoint): Promise<void> {
    this.messages = checkpoint.messages;
    if (checkpoint.agentState !== undefined) this.agentState = checkpoint.agentState;
  }

  async endRun(): Promise<'suspended' | 'handed-over'> {
    return this.#endRun(this.#queue.length > 0 ? 'handed-over' : 'suspended').reason;
  }

  /** The run lets go of the chat: the next `runSession` is a new run that resumes it. */
  #endRun<Reason extends 'suspended' | 'handed-over' | 'cancelled'>(
    reason: Reason,
  ): { ok: false; reason: Reason } {
    this.runEnds.push(reason);
    this.#state = {
      ...this.#state,
      runId: `memory-run-${this.runEnds.length + 1}`,
      turns: this.#completedTurns,
      totalUsage: this.totalUsage,
      messages: this.messages,
      agentState: this.agentState,
      // A preloaded chat's later runs resume it, its first turn or not (phase `preload`).
      isResume: this.#completedTurns > 0 || this.#state.preloaded === true,
      // The next run follows a graceful end: a resume, not a continuation.
      continuation: false,
    };
    return { ok: false, reason };
  }

  async startTurn({ turn, inputId }: TurnStart): Promise<TurnChannel> {
    const stopController = new AbortController();
    this.#stopActiveTurn = (reason) => stopController.abort(reason);
    const recorded: RecordedTurn = {
      turn,
      inputId,
      chunks: [],
      status: undefined,
      end: undefined,
    };
    this.turns.push(recorded);
    return {
      stopSignal: stopController.signal,
      write: (chunk) => {
        recorded.chunks.push(chunk);
      },
      complete: async (end) => {
        recorded.status = end.status;
        recorded.end = end;
        this.messages = end.messages;
        if (end.agentState !== undefined) this.agentState = end.agentState;
        this.totalUsage = end.totalUsage;
        this.#completedTurns = end.countsAsTurn === false ? turn : turn + 1;
        this.#stopActiveTurn = undefined;
      },
    };
  }
}
