import type { UIMessage } from 'ai';

/**
 * Transcript storage (Trigger.dev 4.6's `TranscriptStorage`): where a `chat.agent` conversation is
 * written besides Baton's own checkpoint, one change at a time, e.g. one row per message in the
 * app's database. docs/agents/transcript-storage.md tells when the runtime calls each method.
 */
export type TranscriptStorage<ClientData = unknown> = {
  /**
   * The conversation as stored, in order; with `limit`, the most recent messages and a
   * `nextCursor` (the id of the oldest returned one) when earlier ones exist, which `before`
   * pages back from.
   */
  load(
    scope: TranscriptScope<ClientData>,
    options?: { limit?: number; before?: string },
  ): Promise<LoadedTranscript>;
  /** Applies one changeset, as one transaction where the backend has them. Must be idempotent. */
  save(context: TranscriptSaveContext<ClientData>, changeset: TranscriptChangeset): Promise<void>;
  /**
   * When set, owns the model's context: called every turn and action with the incoming messages
   * and the history the runtime holds; what it returns is the conversation the turn works on.
   */
  loadContext?(
    scope: TranscriptScope<ClientData>,
    event: LoadContextEvent<ClientData>,
  ): Promise<UIMessage[]>;
};

/** Whose transcript: the chat, and its client data (the tenant to scope reads and writes by). */
export type TranscriptScope<ClientData> = { chatId: string; clientData: ClientData };

export type LoadedTranscript = {
  messages: UIMessage[];
  /** The runtime's opaque state, as the last `state` change left it; null for none. */
  state: unknown | null;
  cursors?: TranscriptCursors;
  nextCursor?: string;
};

/** Stream positions, stored opaquely. Baton's clients resume by output ids; kept for porting. */
export type TranscriptCursors = { lastOutEventId?: string; lastInEventId?: string };

export type TranscriptSaveContext<ClientData> = {
  chatId: string;
  clientData: ClientData;
  /** The turn the changes belong to (0-based). */
  turn: number;
  trigger: 'submit-message' | 'regenerate-message' | 'action' | 'action-turn';
  runId: string;
};

export type TranscriptSaveReason =
  | 'turn-start'
  | 'turn-complete'
  | 'turn-error'
  | 'action'
  | 'compaction'
  | 'recovery';

/** One change; every change is idempotent. */
export type TranscriptChange =
  /** Upsert by id: a new id appends, a known one is replaced in place. */
  | { op: 'put'; message: UIMessage; final: boolean }
  /** Deletes by id; a no-op for an unknown id. */
  | { op: 'remove'; id: string }
  /** Drops every message after `afterId` (an undo, a regeneration); a no-op for an unknown id. */
  | { op: 'truncateAfter'; afterId: string }
  /** Replaces the runtime's opaque state (`chat.local`, queued injections); null clears it. */
  | { op: 'state'; value: unknown | null };

/** A message of the whole transcript; `final: false` for a stopped or failed partial answer. */
export type TranscriptEntry = { id: string; final: boolean; message: UIMessage };

export type TranscriptChangeset = {
  reason: TranscriptSaveReason;
  /** What changed since the last successful save, in order. */
  changes: TranscriptChange[];
  /** The whole transcript after the changes: a storage may write it instead of the changes. */
  transcript: { entries: TranscriptEntry[]; state: unknown | null };
  cursors?: TranscriptCursors;
};

/** `loadContext`'s event. */
export type LoadContextEvent<ClientData> = {
  chatId: string;
  turn: number;
  trigger: TranscriptSaveContext<ClientData>['trigger'];
  /** The turn's incoming messages (none for an action). */
  incomingMessages: UIMessage[];
  /** The history the runtime holds before the turn (its checkpoint). */
  previousMessages: UIMessage[];
  clientData: ClientData;
  continuation: boolean;
  /** The run before a continuation; Baton does not keep it. */
  previousRunId: string | undefined;
};
