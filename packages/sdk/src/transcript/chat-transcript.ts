import type { TurnStatus } from '@baton/protocol';
import type { UIMessage } from 'ai';
import type { AgentSession } from '../agent-session.ts';
import type { ChatContext } from '../chat-context.ts';
import type {
  LoadContextEvent,
  TranscriptSaveContext,
  TranscriptSaveReason,
  TranscriptStorage,
} from './transcript-storage.ts';
import { TranscriptWriter } from './transcript-writer.ts';

/** How a turn of `chat.agent` ended, as its transcript save needs it. */
export type TurnOutcome = {
  turn: number;
  status: TurnStatus;
  trigger: TranscriptSaveContext<unknown>['trigger'];
  /** False for an action that asked for no turn. */
  isTurn: boolean;
  isRecovered: boolean;
  /** The turn's answer, if it wrote one. */
  responseId: string | undefined;
  clientData: unknown;
};

/**
 * A `chat.agent`'s transcript storage in its run (docs/agents/transcript-storage.md): the two
 * saves of each turn, the save of what changes between turns, the model context of `loadContext`
 * and the seeding of a chat with no checkpoint. Baton's own checkpoint stays the runtime's source
 * of truth for resuming; the storage gets every change of it. Whether the storage took every
 * change is part of the checkpointed agent state (`transcriptSync`): a run that finds it behind
 * (a save failed, or a run ended before its save was confirmed) diffs against what `load` returns.
 */
export class ChatTranscript {
  readonly #storage: TranscriptStorage<unknown>;
  readonly #session: AgentSession;
  readonly #context: ChatContext;
  #writer: TranscriptWriter<unknown>;

  constructor(storage: TranscriptStorage<unknown>, session: AgentSession, context: ChatContext) {
    this.#storage = storage;
    this.#session = session;
    this.#context = context;
    this.#writer = new TranscriptWriter(
      storage,
      { messages: session.state.messages, state: this.#state() },
      session.logger,
    );
  }

  get hasLoadContext(): boolean {
    return this.#storage.loadContext !== undefined;
  }

  /**
   * Prepares the run: resolves the history of a chat that has no checkpoint yet (a new Baton chat
   * whose transcript the app's database already holds), else undefined. When the checkpoint says
   * the storage is behind, the storage's own transcript becomes the baseline of the next diff
   * (all of it is written again if `load` fails). A `load` that fails is logged.
   */
  async start(clientData: unknown): Promise<UIMessage[] | undefined> {
    const { state } = this.#session;
    const hasCheckpoint = state.turns > 0 || state.messages.length > 0;
    if (hasCheckpoint && !this.#context.transcriptSync.isBehind) return undefined;
    let baseline: { messages: UIMessage[]; state: unknown } = { messages: [], state: null };
    try {
      baseline = await this.#storage.load({ chatId: state.chatId, clientData });
    } catch (error) {
      this.#session.logger.error(
        { err: error },
        hasCheckpoint
          ? 'transcript storage load failed; the next save writes the whole transcript'
          : 'transcript storage load failed; the chat starts empty',
      );
    }
    this.#writer = new TranscriptWriter(this.#storage, baseline, this.#session.logger);
    return hasCheckpoint ? undefined : baseline.messages;
  }

  /** `loadContext`: the conversation the model sees this turn, as the storage decides. */
  async loadContext(event: LoadContextEvent<unknown>): Promise<UIMessage[] | undefined> {
    const loadContext = this.#storage.loadContext;
    if (!loadContext) return undefined;
    return await loadContext.call(
      this.#storage,
      { chatId: event.chatId, clientData: event.clientData },
      event,
    );
  }

  /**
   * The `turn-start` save, with the turn's incoming message: started at once, alongside the
   * model; the turn's output is held until it settles (5 s at most), so the client sees nothing
   * the storage does not hold, and a failed or slow save lets the output through.
   */
  saveTurnStart(
    turn: number,
    trigger: TurnOutcome['trigger'],
    messages: UIMessage[],
    clientData: unknown,
  ): void {
    this.#context.transcriptSync.isBehind = true;
    const save = this.#writer.save(
      this.#saveContext(turn, trigger, clientData),
      'turn-start',
      messages,
      this.#state(),
    );
    this.#context.turn?.gate.hold(save);
  }

  /** The turn's checkpoint is about to be written: the storage has not taken its answer yet. */
  markTurnUnsaved(): void {
    this.#context.transcriptSync.isBehind = true;
  }

  /**
   * The save after a turn (and its `onTurnComplete`), after the turn-start save: awaited before
   * the next wait.
   */
  async saveAfterTurn(outcome: TurnOutcome, messages: UIMessage[]): Promise<void> {
    if (outcome.responseId) {
      this.#writer.markFinal(outcome.responseId, outcome.status === 'complete');
    }
    const reason: TranscriptSaveReason = !outcome.isTurn
      ? 'action'
      : outcome.isRecovered
        ? 'recovery'
        : outcome.status === 'error'
          ? 'turn-error'
          : 'turn-complete';
    await this.#writer.save(
      this.#saveContext(outcome.turn, outcome.trigger, outcome.clientData),
      reason,
      messages,
      this.#state(),
    );
    this.#context.transcriptSync.isBehind = !this.#writer.isSynced;
  }

  /**
   * What changed between turns (history edits, agent state), before the chat leaves the worker;
   * also the retry of a failed save.
   */
  async saveBetweenTurns(turn: number, messages: UIMessage[], clientData: unknown): Promise<void> {
    if (this.#writer.isSynced && !this.#writer.hasChanges(messages, this.#state())) return;
    await this.#writer.save(
      this.#saveContext(turn, 'action', clientData),
      'action',
      messages,
      this.#state(),
    );
    this.#context.transcriptSync.isBehind = !this.#writer.isSynced;
  }

  #saveContext(
    turn: number,
    trigger: TurnOutcome['trigger'],
    clientData: unknown,
  ): TranscriptSaveContext<unknown> {
    return {
      chatId: this.#session.state.chatId,
      clientData,
      turn,
      trigger,
      runId: this.#session.state.runId,
    };
  }

  /** The runtime's opaque state the storage keeps: `chat.local` values and queued injections. */
  #state(): unknown {
    const locals = this.#context.locals.values();
    const injections = [...this.#context.injections.messages];
    return Object.keys(locals).length === 0 && injections.length === 0
      ? null
      : { locals, injections };
  }
}
