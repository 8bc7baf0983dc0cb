import type { RequestIdVariables } from 'hono/request-id';
import type { ChatTokenClaims } from './chat-tokens.ts';

/** Hono context variables of the gateway. */
export type GatewayEnv = {
  Variables: RequestIdVariables & {
    chatToken: ChatTokenClaims;
    /** `POST /api/chat`: the body with only its last message (`read-chat-request.ts`). */
    chatRequest: Record<string, unknown>;
  };
};
