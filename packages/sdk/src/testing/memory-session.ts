import { EMPTY_USAGE, type TurnStatus, type Usage } from '@baton/protocol';
import type { UIMessage, UIMessageChunk } from 'ai';
import type { RunEndReason } from '../agent-definition.ts';
import type {
  AgentSession,
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
      continuation: false,
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

  /** Queues a message for the next turn; throws once the chat is closed, as the gateway's 409. */
  send(
    message: UIMessage,
    options: {
      clientData?: Record<string, unknown>;
      trigger?: SessionMessage['trigger'];
      /** Deliver the message as a turn whose earlier run died after writing these chunks. */
      recovery?: TurnRecovery;
      /** Runs that took the message on, this one included (earlier ones failed). @default 1 */
      attempt?: number;
    } = {},
  ): void {
    if (this.isClosed) throw new Error('SESSION_CLOSED: the chat was closed');
    this.#queue.push({
      inputId: `0-${this.#nextInputId++}`,
      message,
      trigger: options.trigger ?? 'submit-message',
      messageId: undefined,
      clientData: options.clientData,
      ...(options.recovery ? { recovery: options.recovery } : {}),
      ...(options.attempt ? { attempt: options.attempt } : {}),
    });
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
      isResume: this.#completedTurns > 0,
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
        this.totalUsage = end.totalUsage;
        this.#completedTurns = turn + 1;
        this.#stopActiveTurn = undefined;
      },
    };
  }
}
