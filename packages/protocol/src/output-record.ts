import { z } from 'zod';

/**
 * Control records of a chat's output stream (`baton:{id}:out`). They frame turns between the AI SDK
 * `UIMessageChunk`s; the gateway uses them to find where a turn starts and ends and never forwards
 * them to a client as chunks.
 */
export const turnStartRecordSchema = z.object({
  kind: z.literal('turn-start'),
  /** 0-based turn number, continuous across suspends and workers. */
  turn: z.number().int().nonnegative(),
  /** The input-stream id of the message this turn answers. */
  inputId: z.string(),
  /** Lease epoch of the worker that runs the turn. */
  epoch: z.number().int().positive(),
  startedAt: z.number(),
});

export const turnStatusSchema = z.enum(['complete', 'stopped', 'error']);
export type TurnStatus = z.infer<typeof turnStatusSchema>;

export const turnCompleteRecordSchema = z.object({
  kind: z.literal('turn-complete'),
  turn: z.number().int().nonnegative(),
  inputId: z.string(),
  status: turnStatusSchema,
  finishedAt: z.number(),
});

/**
 * A new holder takes over a turn whose run died (docs/architecture.md, "Recovery"): the turn goes
 * on in the same assistant message; what follows replaces the dead attempt's unfinished step.
 */
export const turnRetryRecordSchema = z.object({
  kind: z.literal('turn-retry'),
  turn: z.number().int().nonnegative(),
  inputId: z.string(),
  /** 1 for the first recovery of this turn. */
  attempt: z.number().int().positive(),
  epoch: z.number().int().positive(),
  retriedAt: z.number(),
});

/**
 * The chat was closed (`POST /v1/sessions/:id/close`): nothing follows. A turn in flight ended
 * without completing; readers following it stop here.
 */
export const sessionClosedRecordSchema = z.object({
  kind: z.literal('session-closed'),
  /** Why, as the closer said it (e.g. "ended by the user"); never shown as an error's cause. */
  reason: z.string().max(500).optional(),
  closedAt: z.number(),
});

export const controlRecordSchema = z.discriminatedUnion('kind', [
  turnStartRecordSchema,
  turnCompleteRecordSchema,
  turnRetryRecordSchema,
  sessionClosedRecordSchema,
]);

export type TurnStartRecord = z.infer<typeof turnStartRecordSchema>;
export type TurnCompleteRecord = z.infer<typeof turnCompleteRecordSchema>;
export type TurnRetryRecord = z.infer<typeof turnRetryRecordSchema>;
export type SessionClosedRecord = z.infer<typeof sessionClosedRecordSchema>;
export type ControlRecord = z.infer<typeof controlRecordSchema>;

/**
 * An output-stream entry as readers see it. A chunk keeps its JSON text so the gateway can forward
 * it to SSE without parsing and re-serializing it.
 */
export type OutputEntry =
  | { id: string; type: 'chunk'; json: string }
  | { id: string; type: 'control'; record: ControlRecord };
