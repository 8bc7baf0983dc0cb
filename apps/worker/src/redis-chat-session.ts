import { BatonError, ERROR_CODES, type FaultInjector, type InputEntry } from '@baton/protocol';
import type {
  AgentSession,
  Checkpoint,
  Logger,
  SessionMessage,
  SessionState,
  TurnChannel,
  TurnEnd,
  TurnRecovery,
  TurnStart,
  WaitForMessageOptions,
  WaitForMessageResult,
} from '@baton/sdk';
import type { RedisSessionStore, WakeSubscriber, WriteFence } from '@baton/session-store';
import type { UIMessage, UIMessageChunk } from 'ai';
import type { WorkerFaultPoint } from './config.ts';
import { letGo } from './let-go.ts';
import { OutputBatcher } from './output-batcher.ts';

export type RedisChatSessionOptions = {
  store: RedisSessionStore;
  subscriber: WakeSubscriber;
  state: SessionState;
  /** The holder's lease epoch and write sequence: every write of this run goes through it. */
  fence: WriteFence;
  /** Every input record up to this id was handled by earlier runs. */
  inputCursor: string;
  /** The `turn-start` of a turn a dead run left in flight: it is recovered first. */
  inFlightTurnId: string | undefined;
  /**
   * Runs that took on the chat's pending work, this one included (the claim's count): the first
   * message this run answers is that many attempts in.
   */
  attempts: number;
  /** Aborted when this run may write no more (lease lost, forced shutdown, a failed write). */
  cancelController: AbortController;
  logger: Logger;
  inputPollIntervalMs: number;
  /** Enqueues a job for a run sequence (a hand-over to another worker). */
  enqueueRun: (runSeq: number) => Promise<void>;
  faults: FaultInjector<WorkerFaultPoint>;
};

type ActiveTurn = { turn: number; inputId: string; stopController: AbortController };

/**
 * A chat held by this worker under a lease epoch: the `AgentSession` the SDK's loop runs on.
 * Input records are read in stream order: a message is queued for its own turn, a stop aborts the
 * turn in flight (or the next one, when a message waits for its turn). Waiting costs no Redis connection: the
 * worker's one `WakeSubscriber` announces appends, and a slow poll covers lost wake-ups.
 */
export class RedisChatSession implements AgentSession {
  readonly state: SessionState;
  readonly logger: Logger;
  readonly #options: RedisChatSessionOptions;
  readonly #fence: WriteFence;
  readonly #cancelController: AbortController;
  /** The pending work's attempt number, given to the first message answered. */
  #firstAttempt: number | undefined;
  /** Messages read but not yet answered, in stream order. */
  readonly #queue: InputEntry[] = [];
  #hasPendingStop = false;
  #readCursor: string;
  #handledCursor: string;
  #activeTurn: ActiveTurn | undefined;
  #wake: (() => void) | undefined;
  #pumping: Promise<void> | undefined;
  #shouldPumpAgain = false;
  #isDraining = false;
  #unwatch: (() => void) | undefined;
  #inFlightTurn: { inputId: string; recovery: TurnRecovery } | undefined;
  #pollTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: RedisChatSessionOptions) {
    this.#options = options;
    this.#fence = options.fence;
    this.#cancelController = options.cancelController;
    this.#firstAttempt = options.attempts > 1 ? options.attempts : undefined;
    this.#cancelController.signal.addEventListener('abort', () => {
      this.#fence.revoke();
      this.#activeTurn?.stopController.abort(this.#cancelController.signal.reason);
      this.#wake?.();
    });
    this.state = options.state;
    this.logger = options.logger;
    this.#readCursor = options.inputCursor;
    this.#handledCursor = options.inputCursor;
  }

  get cancelSignal(): AbortSignal {
    return this.#cancelController.signal;
  }

  get chatId(): string {
    return this.state.chatId;
  }

  get epoch(): number {
    return this.#fence.epoch;
  }

  /** Every input record up to this id is answered. */
  get handledCursor(): string {
    return this.#handledCursor;
  }

  /** Starts following the input stream; resolves after the first read. */
  async open(): Promise<void> {
    const { inFlightTurnId } = this.#options;
    if (inFlightTurnId) {
      const turn = await this.#options.store.readInFlightTurn(this.chatId, inFlightTurnId);
      if (turn) {
        this.#inFlightTurn = {
          inputId: turn.turnStart.inputId,
          recovery: {
            // The claim's durable count of earlier runs; the turn's own `turn-retry` records
            // are a floor (a run that died before writing one is missing from them).
            attempt: Math.max(this.#options.attempts - 1, turn.retries + 1),
            chunks: turn.chunkJsons.map((json) => JSON.parse(json) as UIMessageChunk),
          },
        };
      }
    }
    this.#unwatch = await this.#options.subscriber.watch(
      this.#options.store.keys(this.chatId).inputWake,
      () => this.#schedulePump(),
    );
    this.#pollTimer = setInterval(() => this.#schedulePump(), this.#options.inputPollIntervalMs);
    this.#pollTimer.unref();
    await this.#pump();
  }

  close(): void {
    clearInterval(this.#pollTimer);
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  /** The lease is lost or the worker stops hard: abort everything, write nothing more. */
  cancel(reason: unknown): void {
    if (!this.#cancelController.signal.aborted) this.#cancelController.abort(reason);
  }

  /** The worker drains: hand the chat over at the next turn boundary. */
  requestDrain(): void {
    this.#isDraining = true;
    this.#wake?.();
  }

  async waitForMessage({
    idleTimeoutMs,
    onSuspend,
  }: WaitForMessageOptions): Promise<WaitForMessageResult> {
    const deadline = Date.now() + idleTimeoutMs;
    // The agent's `onChatSuspend` runs once, while this run still holds the chat; a message that
    // lands meanwhile is answered by this run instead.
    let shouldRunOnSuspend = onSuspend !== undefined;
    const runOnSuspend = async () => {
      shouldRunOnSuspend = false;
      await onSuspend?.();
      await this.#pump();
    };
    for (;;) {
      if (this.cancelSignal.aborted) return { ok: false, reason: 'cancelled' };
      const next = this.#queue.shift();
      const message = next && this.#toSessionMessage(next);
      if (message) {
        this.#inFlightTurn = undefined;
        this.#firstAttempt = undefined;
        return { ok: true, message };
      }
      if (this.#isDraining) {
        if (shouldRunOnSuspend) {
          await runOnSuspend();
          continue;
        }
        return { ok: false, reason: await this.#handOver() };
      }
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) {
        if (shouldRunOnSuspend) {
          await runOnSuspend();
          continue;
        }
        const outcome = await this.#options.store.suspend(
          this.chatId,
          this.epoch,
          this.#readCursor,
        );
        if (outcome === 'suspended') {
          this.logger.info({ inputCursor: this.#readCursor }, 'chat suspended');
          return { ok: false, reason: 'suspended' };
        }
        await this.#pump();
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remainingMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** The first message read but not answered; reads the input stream first, so none is missed. */
  async peekMessage(): Promise<SessionMessage | undefined> {
    await this.#pump();
    for (const entry of this.#queue) {
      const message = this.#toSessionMessage(entry);
      if (message) return message;
    }
    return undefined;
  }

  /**
   * Closes the chat (`chat.close`) through the store, as the gateway's close does: the script bumps
   * the epoch and drops the lease, so nothing of this run may be written after it. A run that lost
   * the chat closes nothing.
   */
  async closeChat(reason: string | undefined): Promise<void> {
    if (this.cancelSignal.aborted) return;
    await this.#options.store.close(this.chatId, reason);
    this.#fence.revoke();
    this.logger.info({ reason }, 'chat closed by the agent');
  }

  /** What the agent changed after its turn's checkpoint: written fenced, as a turn's end. */
  async saveCheckpoint(checkpoint: Checkpoint): Promise<void> {
    await this.#options.store.saveCheckpoint(this.#fence, {
      keepCount: checkpoint.keepCount,
      messages: checkpoint.messages.slice(checkpoint.keepCount),
      agentState: checkpoint.agentState,
    });
  }

  /** The message an input entry carries, as the agent gets it; undefined for other records. */
  #toSessionMessage(entry: InputEntry): SessionMessage | undefined {
    const { record } = entry;
    if (record.kind !== 'message') return undefined;
    const inFlight = this.#inFlightTurn;
    const attempt = this.#firstAttempt;
    return {
      inputId: entry.id,
      message: record.message as UIMessage,
      trigger: record.trigger,
      messageId: record.messageId,
      ...(record.action !== undefined ? { action: record.action } : {}),
      clientData: record.clientData,
      ...(inFlight?.inputId === entry.id ? { recovery: inFlight.recovery } : {}),
      ...(attempt ? { attempt } : {}),
    };
  }

  async startTurn({ turn, inputId, recovery }: TurnStart): Promise<TurnChannel> {
    const { store } = this.#options;
    const stopController = new AbortController();
    this.#activeTurn = { turn, inputId, stopController };
    if (recovery) {
      // The turn keeps its `turn-start`: readers following it see the retry and go on.
      await store.appendControl(this.#fence, [
        {
          kind: 'turn-retry',
          turn,
          inputId,
          attempt: recovery.attempt,
          epoch: this.epoch,
          retriedAt: Date.now(),
        },
      ]);
    } else {
      await store.startTurn(this.#fence, {
        kind: 'turn-start',
        turn,
        inputId,
        epoch: this.epoch,
        startedAt: Date.now(),
      });
    }
    // A stop that came while this turn's message waited applies to it.
    if (this.#hasPendingStop) {
      this.#hasPendingStop = false;
      stopController.abort('stopped');
    }
    const batcher = new OutputBatcher({
      store,
      fence: this.#fence,
      onError: (error) => this.cancel(error),
    });
    return {
      stopSignal: stopController.signal,
      write: (chunk) => batcher.write(chunk),
      complete: (end) => this.#completeTurn(turn, inputId, batcher, end),
    };
  }

  async #completeTurn(
    turn: number,
    inputId: string,
    batcher: OutputBatcher,
    end: TurnEnd,
  ): Promise<void> {
    await batcher.flush();
    this.#options.faults.trip('worker-before-checkpoint');
    try {
      await this.#options.store.completeTurn(this.#fence, {
        record: {
          kind: 'turn-complete',
          turn,
          inputId,
          status: end.status,
          finishedAt: Date.now(),
        },
        inputCursor: inputId,
        // An action that asked for no turn answers its request without counting one.
        turns: end.countsAsTurn === false ? turn : turn + 1,
        totalUsage: end.totalUsage,
        keepCount: end.keepCount,
        messages: end.messages.slice(end.keepCount),
        agentState: end.agentState,
      });
    } catch (error) {
      // Not acknowledged, yet complete on the primary: the run fails here (no `onTurnComplete`,
      // no next turn on a checkpoint a failover can undo), but its hand-back must not put the
      // stored cursor back before this turn's message, which would answer it a second time.
      if (BatonError.isInstance(error) && error.code === ERROR_CODES.REPLICATION_TIMEOUT) {
        this.#activeTurn = undefined;
        this.#handledCursor = inputId;
      }
      throw error;
    }
    this.#options.faults.trip('worker-after-complete-turn');
    this.#activeTurn = undefined;
    this.#handledCursor = inputId;
    this.logger.debug({ turn, status: end.status, ...batcher.stats }, 'turn complete');
  }

  /** The agent ends its run between turns (`maxTurns`): as a drain hands the chat over. */
  endRun(): Promise<'suspended' | 'handed-over'> {
    return this.#handOver();
  }

  /** Suspends the chat when nothing waits to be answered, else gives it to a new run. */
  async #handOver(): Promise<'suspended' | 'handed-over'> {
    const outcome = await letGo(
      this.#options.store,
      {
        chatId: this.chatId,
        epoch: this.epoch,
        // Messages read but not answered wait: no suspend, they go with the chat.
        ...(this.#queue.length === 0 ? { readCursor: this.#readCursor } : {}),
        handledCursor: this.#handledCursor,
      },
      this.#options.enqueueRun,
    );
    if (outcome === 'handed-over') this.logger.info({}, 'chat handed over');
    return outcome;
  }

  #schedulePump(): void {
    this.#pump().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'reading chat input failed; the poll retries');
    });
  }

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#shouldPumpAgain = true;
      return this.#pumping;
    }
    this.#pumping = (async () => {
      do {
        this.#shouldPumpAgain = false;
        for (;;) {
          const entries = await this.#options.store.readInput(this.chatId, this.#readCursor);
          if (entries.length === 0) break;
          for (const entry of entries) this.#accept(entry);
          this.#readCursor = entries.at(-1)?.id ?? this.#readCursor;
        }
      } while (this.#shouldPumpAgain);
    })().finally(() => {
      this.#pumping = undefined;
    });
    return this.#pumping;
  }

  #accept(entry: InputEntry): void {
    if (entry.record.kind === 'close') {
      // Closed from outside: the run ends now, warm or mid-turn; the close fenced it off already.
      this.logger.info({ reason: entry.record.reason }, 'chat closed from outside');
      this.cancel(new BatonError(ERROR_CODES.SESSION_CLOSED, 'the chat was closed'));
      this.#wake?.();
      return;
    }
    if (entry.record.kind === 'stop') {
      // A stop applies to the turn in flight when it is read (Trigger.dev's semantics), or to the
      // next turn when one is about to start; with nothing running or pending it stops nothing.
      if (this.#activeTurn) {
        this.logger.info({ turn: this.#activeTurn.turn }, 'stop requested');
        this.#activeTurn.stopController.abort('stopped');
      } else if (this.#queue.length > 0) {
        this.#hasPendingStop = true;
      }
      return;
    }
    this.#queue.push(entry);
    this.#wake?.();
  }
}
