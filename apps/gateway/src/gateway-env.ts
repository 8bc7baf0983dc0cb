import type { RequestIdVariables } from 'hono/request-id';
import type { ChatTokenClaims } from './chat-tokens.ts';

/** Hono context variables of the gateway. */
export type GatewayEnv = {
  Variables: RequestIdVariables & {
    chatToken: ChatTokenClaims;
  };
};
