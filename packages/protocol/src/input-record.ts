import { z } from 'zod';
import { chatTriggerSchema, uiMessageSchema } from './ui-message.ts';

/**
 * A record of a chat's input stream (`baton:{id}:in`), written by the gateway and read by the
 * worker that holds the chat. Records are processed in stream order.
 */
export const messageInputRecordSchema = z.object({
  kind: z.literal('message'),
  /** The message to answer: a new user message, or an assistant message with resolved tools. */
  message: uiMessageSchema,
  trigger: chatTriggerSchema,
  /** The `messageId` of the AI SDK request (the edited or regenerated message), if any. */
  messageId: z.string().optional(),
  /** The request body's extra fields: Trigger.dev's `clientData`. */
  clientData: z.record(z.string(), z.unknown()).optional(),
  /**
   * Set when the request is a custom action (the body's `action`, e.g. sent with
   * `regenerate({ body: { action } })`): the agent's `onAction` gets it, and `message` is only the
   * client's last message, not accumulated.
   */
  action: z.unknown().optional(),
  receivedAt: z.number(),
});

export const stopInputRecordSchema = z.object({
  kind: z.literal('stop'),
  receivedAt: z.number(),
});

/**
 * Written by a close from outside the run (`POST /v1/sessions/:id/close`, close-session.lua):
 * wakes the run that holds the chat, warm or mid-turn, so that it ends at once.
 */
export const closeInputRecordSchema = z.object({
  kind: z.literal('close'),
  reason: z.string().optional(),
  receivedAt: z.number(),
});

export const inputRecordSchema = z.discriminatedUnion('kind', [
  messageInputRecordSchema,
  stopInputRecordSchema,
  closeInputRecordSchema,
]);

export type MessageInputRecord = z.infer<typeof messageInputRecordSchema>;
export type StopInputRecord = z.infer<typeof stopInputRecordSchema>;
export type CloseInputRecord = z.infer<typeof closeInputRecordSchema>;
export type InputRecord = z.infer<typeof inputRecordSchema>;

/** An input record with the id Redis gave it in the input stream. */
export type InputEntry = { id: string; record: InputRecord };
