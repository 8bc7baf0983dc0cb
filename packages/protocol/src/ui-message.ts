import { z } from 'zod';

/**
 * The shape of an AI SDK `UIMessage` as far as the wire and Redis need it. Part contents are
 * validated by the AI SDK's own `validateUIMessages` at the gateway; here a part is any object with
 * a string `type`, so that new part kinds of the AI SDK pass through unchanged.
 */
export const uiMessagePartSchema = z.looseObject({ type: z.string().min(1) });

export const uiMessageSchema = z.looseObject({
  id: z.string().min(1).max(256),
  role: z.enum(['system', 'user', 'assistant']),
  metadata: z.unknown().optional(),
  parts: z.array(uiMessagePartSchema),
});

export type WireUIMessage = z.infer<typeof uiMessageSchema>;

/** `submit-message` sends a new or updated message; `regenerate-message` re-answers the last one. */
export const chatTriggerSchema = z.enum(['submit-message', 'regenerate-message']);
export type ChatTrigger = z.infer<typeof chatTriggerSchema>;
