import { z } from 'zod';

/**
 * A chat id: the key of every Redis record of one chat and part of its BullMQ job ids, so it is
 * restricted to characters that are safe in a Redis hash tag, a URL path segment and a job id
 * (BullMQ refuses `:` in custom ids).
 */
export const chatIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, {
  message: 'chat id must be 1-128 characters of A-Z, a-z, 0-9, "_" or "-"',
});

export type ChatId = z.infer<typeof chatIdSchema>;

/** An agent id, as registered by workers and named in `POST /v1/sessions`. */
export const agentIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, {
  message: 'agent id must be 1-64 characters of a-z, 0-9, "_" or "-"',
});
