import type { UIMessage } from 'ai';
import type { Logger } from '../logger.ts';
import { diffTranscript } from './transcript-diff.ts';
import type {
  TranscriptEntry,
  TranscriptSaveContext,
  TranscriptSaveReason,
  TranscriptStorage,
} from './transcript-storage.ts';

/**
 * Feeds a chat's `TranscriptStorage`: diffs the history against what the storage last took and
 * hands it the changes, one save at a time, in the order they were asked for (a slow turn-start
 * save never lands after the turn-complete save that follows it). A save that throws is logged
 * and never fails the turn; the storage's baseline does not move, so its changes are folded into
 * the next changeset (every change is idempotent, so a storage that applied part of it converges).
 */
export class TranscriptWriter<ClientData> {
  readonly #storage: TranscriptStorage<ClientData>;
  readonly #logger: Logger;
  #saved: TranscriptEntry[];
  #savedState: string;
  /** Ids of partial answers (a stopped or failed turn's). */
  readonly #partial = new Set<string>();
  /** The saves asked for, one after the other; settles, never rejects. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Saves asked for, and the last of them that succeeded (by their order). */
  #requested = 0;
  #lastSucceeded = 0;

  constructor(
    storage: TranscriptStorage<ClientData>,
    baseline: { messages: readonly UIMessage[]; state: unknown },
    logger: Logger,
  ) {
    this.#storage = storage;
    this.#logger = logger;
    this.#saved = baseline.messages.map((message) => ({ id: message.id, final: true, message }));
    this.#savedState = JSON.stringify(baseline.state ?? null);
  }

  /** Marks a turn's answer partial (`final: false`) or whole again. */
  markFinal(messageId: string, isFinal: boolean): void {
    if (isFinal) this.#partial.delete(messageId);
    else this.#partial.add(messageId);
  }

  /** Whether `messages` and `state` differ from what the storage last took. */
  hasChanges(messages: readonly UIMessage[], state: unknown): boolean {
    const entries = this.#entriesOf(messages);
    return (
      diffTranscript(this.#saved, entries).length > 0 ||
      JSON.stringify(state ?? null) !== this.#savedState
    );
  }

  /** Whether the storage took every change asked for so far (none failed, none pending). */
  get isSynced(): boolean {
    return this.#lastSucceeded === this.#requested;
  }

  /**
   * Saves the changes since the last successful save, after the saves asked for before it;
   * resolves whether the storage took them.
   */
  save(
    context: TranscriptSaveContext<ClientData>,
    reason: TranscriptSaveReason,
    messages: readonly UIMessage[],
    state: unknown,
  ): Promise<boolean> {
    const number = ++this.#requested;
    const saved = this.#queue.then(async () => {
      const isSaved = await this.#saveNow(context, reason, messages, state);
      if (isSaved) this.#lastSucceeded = number;
      return isSaved;
    });
    this.#queue = saved;
    return saved;
  }

  async #saveNow(
    context: TranscriptSaveContext<ClientData>,
    reason: TranscriptSaveReason,
    messages: readonly UIMessage[],
    state: unknown,
  ): Promise<boolean> {
    const entries = this.#entriesOf(messages);
    const serializedState = JSON.stringify(state ?? null);
    const changes = diffTranscript(this.#saved, entries);
    if (serializedState !== this.#savedState) changes.push({ op: 'state', value: state ?? null });
    if (changes.length === 0) return true;
    try {
      await this.#storage.save(context, {
        reason,
        changes,
        transcript: { entries, state: state ?? null },
      });
    } catch (error) {
      this.#logger.error(
        { err: error, reason, changes: changes.length },
        'transcript storage save failed; its changes go with the next save',
      );
      return false;
    }
    this.#saved = entries;
    this.#savedState = serializedState;
    return true;
  }

  #entriesOf(messages: readonly UIMessage[]): TranscriptEntry[] {
    return messages.map((message) => ({
      id: message.id,
      final: !this.#partial.has(message.id),
      message,
    }));
  }
}
