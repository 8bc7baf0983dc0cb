import type { TurnStatus, Usage } from '@baton/protocol';
import type { UIMessage, UIMessageChunk } from 'ai';
import type { RunEndReason } from '../agent-definition.ts';
import type { AgentSession, SessionMessage } from '../agent-session.ts';
import {
  type ChatContext,
  createChatContext,
  isAgentStateDirty,
  takeAgentState,
} from '../chat-context.ts';
import { OutputGate } from '../chat-defer.ts';
import { commonPrefixLength } from '../common-prefix-length.ts';
import { mergeIncomingMessage } from '../merge-incoming-message.ts';
import type { RuntimeSettings } from '../runtime-settings.ts';
import { DEFAULT_ERROR_TEXT, generateMessageId } from '../to-chunk-stream.ts';
import { orderAfterStart } from '../turn-output.ts';
import { DEFAULT_RECOVERY_ATTEMPTS, readDeadAttempt } from '../turn-recovery.ts';
import type { ClientDataValidator } from './client-data-validation.ts';
import { agentStateWithMark, hasHandoffMark } from './handoff-mark.ts';
import type { OpenTurn } from './open-turn.ts';
import { turnHistory } from './turn-history.ts';
import { buildTurnResponse, continuableMessage } from './turn-response.ts';
import type { ChatTaskMessagePayload } from './wire-payload.ts';

/** The next message of the chat, or why there is none. */
export type NextMessage =
  | { ok: true; payload: ChatTaskMessagePayload }
  | { ok: false; reason: RunEndReason };

/** A source of the chat's history the run checkpoints instead of its own: a bound accumulator. */
export type TranscriptSource = {
  readonly uiMessages: UIMessage[];
  /** Replaces its history (`chat.history` edits); its `uiMessages` change at once. */
  setMessages(messages: UIMessage[]): Promise<void>;
};

/**
 * One run of a custom agent on one chat (docs/agents/custom-agents.md): what the `chat.*`
 * primitives act on. It hands the chat's messages to the agent one at a time, each opening a turn
 * (`turn-start`, or `turn-retry` for a turn a dead run left in flight), writes the turn's chunks,
 * and completes the turn with a checkpoint: the history of the accumulator the agent bound, or
 * else the incoming message and the response rebuilt from the turn's chunks. So the chat's history
 * is durable whatever the agent keeps, and a run that re-enters the agent after an idle suspend or
 * on another worker starts from it.
 */
export class ChatRun {
  readonly session: AgentSession;
  /** The chat context the agent's code runs in, this run included. */
  readonly context: ChatContext;
  /** The chat's history as last checkpointed (or as the agent's turn has it so far). */
  messages: UIMessage[];
  turns: number;
  totalUsage: Usage;
  #persisted: UIMessage[];
  #turn: OpenTurn | undefined;
  #transcript: TranscriptSource | undefined;
  #stopListeners = new Set<(reason: unknown) => void>();
  #isContinuation: boolean;
  #endReason: RunEndReason | undefined;
  /** `chat.history` changed the history since the last checkpoint, between turns. */
  #isHistoryEdited = false;
  #validateClientData: ClientDataValidator | undefined;
  /** Runs of one turn that may die before the turn ends with an error (`recovery.maxAttempts`). */
  readonly #maxRecoveryAttempts: number;
  #messageListeners = new Set<(payload: ChatTaskMessagePayload) => void>();
  /** The stored agent state carries `chat.endAndContinue`'s mark: the next checkpoint drops it. */
  #isHandoffMarked: boolean;

  constructor(
    session: AgentSession,
    options: {
      validateClientData?: ClientDataValidator;
      settings: RuntimeSettings;
      /** @default DEFAULT_RECOVERY_ATTEMPTS */
      maxRecoveryAttempts?: number;
    },
  ) {
    this.session = session;
    this.context = createChatContext(session, options.settings, this);
    this.context.history = {
      get: () => this.currentHistory(),
      set: (messages) => this.#replaceHistory(messages),
    };
    this.messages = [...session.state.messages];
    this.#persisted = this.messages;
    this.turns = session.state.turns;
    this.totalUsage = session.state.totalUsage;
    // A run after `chat.endAndContinue` is a continuation, whatever ended the run before it.
    this.#isHandoffMarked = hasHandoffMark(session);
    this.#isContinuation = session.state.continuation || this.#isHandoffMarked;
    this.#validateClientData = options.validateClientData;
    this.#maxRecoveryAttempts = options.maxRecoveryAttempts ?? DEFAULT_RECOVERY_ATTEMPTS;
  }

  /** Set once the agent called `chat.close`: the run takes no more messages. */
  get isCloseRequested(): boolean {
    return this.context.closeRequest.isRequested;
  }

  get chatId(): string {
    return this.session.state.chatId;
  }

  /** The warm wait between messages: the agent's, or what `chat.setIdleTimeoutInSeconds` set. */
  get defaultIdleTimeoutMs(): number {
    return this.context.settings.idleTimeoutInSeconds * 1000;
  }

  /** The open turn's stop signal: aborts when the user stops the turn. */
  get stopSignal(): AbortSignal | undefined {
    return this.#turn?.channel.stopSignal;
  }

  /** Set once a wait found no more messages for this run: the agent should return. */
  get endReason(): RunEndReason | undefined {
    return this.#endReason;
  }

  /** From now on the agent left its loop: the next message re-enters it as a continuation. */
  markContinuation(): void {
    this.#isContinuation = true;
  }

  /** The accumulator whose history the run checkpoints (the last one created in the run). */
  bindTranscript(source: TranscriptSource): void {
    this.#transcript = source;
  }

  /** Called with the stop reason whenever the open turn is stopped (`chat.createStopSignal`). */
  onStop(listener: (reason: unknown) => void): () => void {
    this.#stopListeners.add(listener);
    return () => this.#stopListeners.delete(listener);
  }

  /**
   * Completes the open turn, if any, then waits for the chat's next message (warm up to
   * `idleTimeoutMs`, after which the chat suspends) and opens its turn. A turn that a dead run
   * left complete is only checkpointed; one past the recovery budget ends with an error chunk.
   */
  async nextMessage(idleTimeoutMs = this.defaultIdleTimeoutMs): Promise<NextMessage> {
    await this.completeTurn();
    if (this.isCloseRequested) return { ok: false, reason: 'closed' };
    if (this.#endReason) return { ok: false, reason: this.#endReason };
    if (this.context.endRunRequest.isRequested && !this.session.cancelSignal.aborted) {
      // `chat.endRun`: no idle wait; the next message is answered by a new run.
      await this.saveChanges();
      this.#endReason = await this.session.endRun();
      return { ok: false, reason: this.#endReason };
    }
    for (;;) {
      const next = await this.session.waitForMessage({
        idleTimeoutMs,
        onSuspend: () => this.saveChanges(),
      });
      if (!next.ok) {
        this.#endReason = next.reason;
        return next;
      }
      const payload = await this.#openTurn(next.message);
      if (payload) return { ok: true, payload };
    }
  }

  /**
   * Hands the chat to a fresh run between turns (`chat.endAndContinue`): completes the open turn
   * if any, checkpoints what changed since with a mark that makes the next run a continuation,
   * and ends this run: the chat goes back to the pool at once when a message waits, else it
   * suspends and the next message starts the fresh run, on any worker. This run takes no more
   * messages; the agent returns from `run`.
   */
  async endAndContinue(): Promise<'suspended' | 'handed-over'> {
    if (this.#endReason) {
      throw new Error(
        `chat.endAndContinue: this run no longer holds the chat (${this.#endReason}); return from run`,
      );
    }
    if (this.isCloseRequested) {
      throw new Error('chat.endAndContinue after chat.close: the chat closes when run returns');
    }
    await this.completeTurn();
    await this.saveChanges({ isHandoff: true });
    if (this.session.cancelSignal.aborted) {
      // The run lost the chat before it let go: the handoff failed (Trigger.dev rejects too).
      this.#endReason = 'cancelled';
      throw new Error('chat.endAndContinue: the run lost the chat; return from run');
    }
    const reason = await this.session.endRun();
    this.#endReason = reason;
    return reason;
  }

  /** Whether `message` is the message of the open turn's custom action (not a new message). */
  isActionMessage(message: UIMessage): boolean {
    const turn = this.#turn;
    return turn?.isAction === true && turn.incoming.message.id === message.id;
  }

  /**
   * The message waiting to be answered next, if one waits (`chat.messages.peek`): neither taken
   * nor waited for. Undefined once the run takes no more messages.
   */
  async peekMessage(): Promise<ChatTaskMessagePayload | undefined> {
    if (this.#endReason || this.isCloseRequested) return undefined;
    const waiting = await this.session.peekMessage();
    return waiting && this.#payloadOf(waiting, waiting.recovery !== undefined);
  }

  /**
   * Takes the waiting message without waiting (`chat.messages.next`): completes the open turn and
   * opens the message's turn as `nextMessage` does. Undefined when no message waits.
   */
  async takeWaitingMessage(): Promise<ChatTaskMessagePayload | undefined> {
    if (!(await this.peekMessage())) return undefined;
    await this.completeTurn();
    for (;;) {
      // A message waits (peeked above, or after a settled turn below): the wait resolves at once.
      const next = await this.session.waitForMessage({
        idleTimeoutMs: this.defaultIdleTimeoutMs,
        onSuspend: () => this.saveChanges(),
      });
      if (!next.ok) {
        this.#endReason = next.reason;
        return undefined;
      }
      const payload = await this.#openTurn(next.message);
      if (payload) return payload;
      // The message's turn was settled without the agent: take the next one, if one waits.
      if (!(await this.peekMessage())) return undefined;
    }
  }

  /** Called with each message handed to the agent, when its turn opens (`chat.messages.on`). */
  onMessage(listener: (payload: ChatTaskMessagePayload) => void): () => void {
    this.#messageListeners.add(listener);
    return () => this.#messageListeners.delete(listener);
  }

  /** Writes a chunk into the open turn. */
  write(chunk: UIMessageChunk): void {
    const turn = this.#requireTurn('writing to the chat');
    let written = chunk;
    if (chunk.type === 'start' && turn.continuedMessageId !== undefined) {
      written = { ...chunk, messageId: turn.continuedMessageId };
    } else if (chunk.type === 'start' && chunk.messageId === undefined) {
      // A raw chunk stream: the client continues the message the turn continues, or makes up an
      // id the history would never know; the history keys the response by this one.
      written = { ...chunk, messageId: turn.continuable?.id ?? generateMessageId() };
    } else if (chunk.type === 'start-step' && turn.shouldDropStepStart) {
      turn.shouldDropStepStart = false;
      return;
    }
    turn.response.write(written);
  }

  /** Writes a chunk to the open turn's output only, never its response (`chat.stream`). */
  writeEphemeral(chunk: UIMessageChunk): void {
    this.#requireTurn('writing to the chat').gate.write(chunk);
  }

  /**
   * Checkpoints what changed since the last turn's checkpoint (history edits between turns,
   * `chat.local` values, injections), after the work of `chat.defer` settled (up to 5 s): before
   * the chat leaves this worker. `isHandoff` (`chat.endAndContinue`) always writes the agent
   * state, marked so that the next run is a continuation.
   */
  async saveChanges(options: { isHandoff?: boolean } = {}): Promise<void> {
    if (this.#turn || this.#endReason || this.session.cancelSignal.aborted) return;
    await this.context.deferrals.settle();
    const isHandoff = options.isHandoff === true;
    if (!isHandoff && !this.#isHistoryEdited && !isAgentStateDirty(this.context)) return;
    const messages = this.#isHistoryEdited ? this.currentHistory() : this.#persisted;
    const agentState = isHandoff
      ? agentStateWithMark(this.context, this.session, true)
      : this.#takeAgentState();
    await this.session.saveCheckpoint({
      messages,
      keepCount: commonPrefixLength(this.#persisted, messages),
      ...(agentState !== undefined ? { agentState } : {}),
    });
    this.#isHistoryEdited = false;
    this.messages = messages;
    this.#persisted = messages;
  }

  /** `chat.history` edits: the bound accumulator's history, else the run's own. */
  #replaceHistory(messages: UIMessage[]): void {
    // Between turns the edit is checkpointed before the chat leaves the worker; during a turn,
    // with the turn.
    this.#isHistoryEdited = this.#turn === undefined;
    if (this.#transcript) {
      // Its `uiMessages` change at once; the model messages follow (a failure is only logged).
      this.#transcript.setMessages(messages).catch((error: unknown) => {
        this.session.logger.error(
          { err: error },
          'chat.history edit: converting the history failed',
        );
      });
    } else {
      this.messages = messages;
    }
  }

  /**
   * The history a response continues: the bound accumulator's, else the checkpoint with the open
   * turn's incoming message. A response continues its last message only when that is an
   * assistant message (one coming back with tool outputs), as `toUIMessageStream` does.
   */
  currentHistory(): UIMessage[] {
    if (this.#transcript) return this.#transcript.uiMessages;
    const turn = this.#turn;
    if (!turn || turn.isAction) return this.messages;
    const { message, trigger } = turn.incoming;
    return mergeIncomingMessage(this.messages, message, { trigger });
  }

  /** The open turn's response as its chunks build it (a recovered turn's dead steps included). */
  async responseMessage(): Promise<UIMessage | undefined> {
    const turn = this.#turn;
    return turn ? buildTurnResponse(turn.chunks, turn.continuable) : undefined;
  }

  /**
   * The agent threw: logged always, and the open turn, if any, ends with an `error` chunk; the
   * chat goes on.
   */
  failTurn(error: unknown): void {
    this.session.logger.warn({ err: error, turn: this.#turn?.number }, 'agent failed');
    if (this.#turn) this.write({ type: 'error', errorText: DEFAULT_ERROR_TEXT });
  }

  /**
   * Checkpoints the open turn and writes its `turn-complete` (`chat.writeTurnComplete`): the bound
   * accumulator's history if the agent keeps one, else the history with the incoming message and
   * the response rebuilt from the turn's chunks (aborted parts cleaned after a stop or an error).
   */
  async completeTurn(): Promise<void> {
    const turn = this.#turn;
    if (!turn) return;
    // Work of `chat.defer` settles (up to 5 s) before the turn's checkpoint, which keeps what it
    // set; then the output held back by `chat.deferBeforeOutput` goes out.
    await this.context.deferrals.settle();
    turn.response.end();
    await turn.gate.drain();
    this.#turn = undefined;
    this.context.turn = undefined;
    // As chat.agent's turns: any `error` chunk of the turn, a dead attempt's included.
    const status: TurnStatus = turn.chunks.some((chunk) => chunk.type === 'error')
      ? 'error'
      : turn.channel.stopSignal.aborted
        ? 'stopped'
        : 'complete';
    const messages = turn.isRefused
      ? this.messages
      : await turnHistory(
          { ...turn, status },
          { checkpoint: this.messages, kept: this.#transcript?.uiMessages },
        );
    const keepCount = commonPrefixLength(this.#persisted, messages);
    const agentState = this.#takeAgentState();
    // As `chat.agent`'s: an action the agent answered nothing to is no turn.
    const countsAsTurn = !turn.isAction || turn.chunks.length > 0;
    await turn.channel.complete({
      status,
      messages,
      keepCount,
      totalUsage: this.totalUsage,
      ...(agentState !== undefined ? { agentState } : {}),
      ...(countsAsTurn ? {} : { countsAsTurn: false }),
    });
    this.messages = messages;
    this.#persisted = messages;
    this.#isHistoryEdited = false;
    if (countsAsTurn) this.turns = turn.number + 1;
    // What the checkpoint added to the accumulator's history (a response the loop did not add)
    // stays in it: the next turn's checkpoint starts from there.
    const transcript = turn.isRefused ? undefined : this.#transcript;
    if (transcript && transcript.uiMessages.length !== messages.length) {
      await transcript.setMessages(messages);
    }
  }

  /** The agent state for a checkpoint, when it changed or still carries the handoff mark. */
  #takeAgentState(): string | undefined {
    if (!this.#isHandoffMarked) return takeAgentState(this.context, this.session);
    this.#isHandoffMarked = false;
    return agentStateWithMark(this.context, this.session, false);
  }

  /** Opens the turn of `message`; resolves its payload, or undefined when the turn is settled. */
  async #openTurn(message: SessionMessage): Promise<ChatTaskMessagePayload | undefined> {
    const number = this.turns;
    const { recovery } = message;
    const channel = await this.session.startTurn({
      turn: number,
      inputId: message.inputId,
      ...(recovery ? { recovery: { attempt: recovery.attempt } } : {}),
    });
    const chunks: UIMessageChunk[] = [...(recovery?.chunks ?? [])];
    const gate = new OutputGate((chunk) => channel.write(chunk), this.session.logger);
    const turn: OpenTurn = {
      number,
      incoming: message,
      channel,
      chunks,
      continuedMessageId: undefined,
      shouldDropStepStart: false,
      isRefused: false,
      isAction: message.action !== undefined,
      continuable:
        message.action === undefined
          ? continuableMessage(this.messages, message.message, message.trigger)
          : undefined,
      gate,
      // As `chat.agent`'s turns: a data part written before the answer starts is not lost.
      response: orderAfterStart(
        (chunk) => {
          chunks.push(chunk);
          gate.write(chunk);
        },
        { hasStarted: chunks.some((chunk) => chunk.type === 'start'), generateMessageId },
      ),
    };
    this.#turn = turn;
    this.context.turn = {
      write: (chunk) => this.write(chunk),
      writeEphemeral: (chunk) => this.writeEphemeral(chunk),
      gate: turn.gate,
      stopSignal: channel.stopSignal,
    };
    channel.stopSignal.addEventListener('abort', () => {
      for (const listener of this.#stopListeners) listener(channel.stopSignal.reason);
    });
    const earlierRuns = (message.attempt ?? 1) - 1;
    if (earlierRuns > this.#maxRecoveryAttempts) {
      this.session.logger.warn({ turn: number, earlierRuns }, 'turn past its recovery budget');
      this.write({ type: 'error', errorText: DEFAULT_ERROR_TEXT });
      await this.completeTurn();
      return undefined;
    }
    if (recovery) {
      // A custom agent answers the message again, in the same assistant message: the dead
      // attempt's unfinished step is dropped (`reset-step`), its finished steps stay (the client
      // holds them).
      const dead = readDeadAttempt(turn.chunks);
      if (dead.isFinished) {
        // The answer was whole; only its checkpoint was missing.
        await this.completeTurn();
        return undefined;
      }
      turn.continuedMessageId = dead.start?.type === 'start' ? dead.start.messageId : undefined;
      if (dead.needsReset) {
        this.write({ type: 'reset-step' });
        turn.shouldDropStepStart = true;
      }
    }
    const payload = this.#payloadOf(message, recovery !== undefined);
    if (this.#validateClientData) {
      const validation = await this.#validateClientData(message.clientData, {
        trigger: message.trigger,
        message: message.message,
      });
      if (!validation.ok) {
        // Trigger.dev 4.5.16: an invalid message is consumed, answered with an error and never
        // delivered to `run`; the chat goes on.
        this.session.logger.warn({ err: validation.error, turn: number }, 'invalid client data');
        turn.isRefused = true;
        this.write({
          type: 'error',
          errorText: `Invalid client data: ${describe(validation.error)}`,
        });
        await this.completeTurn();
        return undefined;
      }
      payload.metadata = validation.value as ChatTaskMessagePayload['metadata'];
    }
    for (const listener of this.#messageListeners) listener(payload);
    return payload;
  }

  #payloadOf(message: SessionMessage, isRecovered: boolean): ChatTaskMessagePayload {
    return {
      chatId: this.chatId,
      runId: this.session.state.runId,
      trigger: message.trigger,
      message: message.message,
      messageId: message.messageId,
      metadata: message.clientData,
      continuation: this.#isContinuation || isRecovered,
      ...(message.action !== undefined ? { action: message.action } : {}),
    };
  }

  #requireTurn(what: string): OpenTurn {
    if (!this.#turn) {
      throw new Error(
        `${what} needs an open turn: the turn was completed (chat.writeTurnComplete) and no message was taken since`,
      );
    }
    return this.#turn;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
