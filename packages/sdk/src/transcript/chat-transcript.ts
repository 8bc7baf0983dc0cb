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
 * of truth for resuming; the storage gets every change of it.
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
   * The history of a chat that has no checkpoint yet (a new Baton chat whose transcript the app's
   * database already holds): the storage's, else empty. A `load` that fails is logged and the
   * chat starts empty, as Trigger.dev boots from the stream then.
   */
  async seed(clientData: unknown): Promise<UIMessage[]> {
    const { state } = this.#session;
    if (state.turns > 0 || state.messages.length > 0) return state.messages;
    try {
      const loaded = await this.#storage.load({ chatId: state.chatId, clientData });
      this.#writer = new TranscriptWriter(
        this.#storage,
        { messages: loaded.messages, state: loaded.state },
        this.#session.logger,
      );
      return loaded.messages;
    } catch (error) {
      this.#session.logger.error({ err: error }, 'transcript storage load failed; starting empty');
      return state.messages;
    }
  }

  /** `loadContext`: the conversation the turn works on, as the storage decides. */
  async loadContext(event: LoadContextEvent<unknown>): Promise<UIMessage[]> {
    const loadContext = this.#storage.loadContext;
    if (!loadContext) return [...event.previousMessages, ...event.incomingMessages];
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
    const save = this.#writer.save(
      this.#saveContext(turn, trigger, clientData),
      'turn-start',
      messages,
      this.#state(),
    );
    this.#context.turn?.gate.hold(save);
  }

  /** The save after a turn (and its `onTurnComplete`): awaited before the next wait. */
  async saveAfterTurn(outcome: TurnOutcome, messages: UIMessage[]): Promise<void> {
    if (outcome.responseId)
      this.#writer.markFinal(outcome.responseId, outcome.status === 'complete');
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
  }

  /** What changed between turns (history edits, agent state), before the chat leaves the worker. */
  async saveBetweenTurns(turn: number, messages: UIMessage[], clientData: unknown): Promise<void> {
    if (!this.#writer.hasChanges(messages, this.#state())) return;
    await this.#writer.save(
      this.#saveContext(turn, 'action', clientData),
      'action',
      messages,
      this.#state(),
    );
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
