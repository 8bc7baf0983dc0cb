import { z } from 'zod';
import { agentIdSchema, chatIdSchema } from './chat-id.ts';
import { chatTriggerSchema, uiMessageSchema } from './ui-message.ts';

/** Fields of the `POST /api/chat` body that are not client data. */
const RESERVED_BODY_FIELDS = new Set([
  'id',
  'messages',
  'message',
  'trigger',
  'messageId',
  'action',
]);

/**
 * The body the stock `DefaultChatTransport` posts (`{ id, messages, trigger, messageId, ...body }`),
 * or a slim body with one `message`. Only the last message travels on: the worker holds the rest.
 */
export const chatRequestBodySchema = z
  .looseObject({
    id: chatIdSchema,
    messages: z.array(uiMessageSchema).max(10_000).optional(),
    message: uiMessageSchema.optional(),
    trigger: chatTriggerSchema.default('submit-message'),
    messageId: z.string().max(256).optional(),
    /** A custom action for the agent's `onAction` (Trigger.dev's `body.action`). */
    action: z.unknown().optional(),
  })
  .refine((body) => body.message !== undefined || (body.messages?.length ?? 0) > 0, {
    message: 'body needs a "message" or a non-empty "messages" array',
  });

export type ChatRequestBody = z.infer<typeof chatRequestBodySchema>;

/** The extra fields of a chat request body: the turn's client data. */
export function clientDataOf(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const entries = Object.entries(body).filter(([key]) => !RESERVED_BODY_FIELDS.has(key));
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * `POST /v1/sessions`: create (or ensure) a session for an agent and mint a chat token. With
 * `preload: true` the chat's run starts now, before its first message (Trigger.dev's preload):
 * the agent runs `onPreload` and waits warm for the message (docs/agents/preload.md).
 */
export const createSessionBodySchema = z.object({
  agent: agentIdSchema,
  chatId: chatIdSchema.optional(),
  clientData: z.record(z.string(), z.unknown()).optional(),
  tags: z.array(z.string().min(1).max(128)).max(10).optional(),
  preload: z.boolean().optional(),
});
export type CreateSessionBody = z.infer<typeof createSessionBodySchema>;

export type CreateSessionResponse = {
  chatId: string;
  agent: string;
  token: string;
  tokenExpiresAt: number;
  isNew: boolean;
  /**
   * The chat was closed (`POST /v1/sessions/:id/close`, `chat.close`): its token reads it, a new
   * message gets 409 `SESSION_CLOSED`. Open a new chat instead.
   */
  isClosed: boolean;
  /**
   * Only when `preload` was asked: whether this request started the chat's run. False when a run
   * holds or awaits the chat already (a second preload, or the first message came first) or the
   * chat ran before; nothing was changed then.
   */
  preloaded?: boolean;
};

/** `POST /v1/sessions/:id/close`: an optional reason, kept in the `session-closed` record. */
export const closeSessionBodySchema = z.object({ reason: z.string().max(500).optional() }).strict();

/** One agent as `GET /v1/agents` lists it. */
export type AgentInfo = { id: string; versions: string[]; workers: number };
