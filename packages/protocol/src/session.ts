import { z } from 'zod';

/**
 * `new -> queued -> running -> (suspended -> queued -> running)* -> closed` (docs/architecture.md,
 * "Lifecycle").
 */
export const sessionStatusSchema = z.enum(['new', 'queued', 'running', 'suspended', 'closed']);
export type SessionStatus = z.infer<typeof sessionStatusSchema>;

export const usageSchema = z.object({
  inputTokens: z.number().nonnegative(),
  outputTokens: z.number().nonnegative(),
  totalTokens: z.number().nonnegative(),
});
export type Usage = z.infer<typeof usageSchema>;

export const EMPTY_USAGE: Usage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  totalTokens: 0,
});

/** The session record (`baton:{id}:session`), as the session store returns it. */
export type SessionRecord = {
  chatId: string;
  agentId: string;
  status: SessionStatus;
  /** Lease epoch of the latest holder; every write of a holder is fenced by it. */
  epoch: number;
  holder: string | undefined;
  /** Sequence of runs (BullMQ jobs); a job whose sequence is behind is stale. */
  runSeq: number;
  /**
   * The run sequence a preload started (`POST /v1/sessions` with `preload: true`), 0 when the
   * chat was never preloaded: that run is the preloaded one, and the chat stays preloaded.
   */
  preloadRunSeq: number;
  /** Input-stream id up to which every record has been fully handled. */
  inputCursor: string;
  /** Number of completed turns; the next turn's 0-based number. */
  turns: number;
  /** Output-stream id of the in-flight turn's `turn-start`, if a turn is in flight. */
  activeTurnOutputId: string | undefined;
  totalUsage: Usage;
  clientData: Record<string, unknown> | undefined;
  /** The agent state the SDK checkpointed (`chat.local`, queued injections), opaque JSON. */
  agentState: string | undefined;
  tags: string[];
  createdAt: number;
  updatedAt: number;
};
