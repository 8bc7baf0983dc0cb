import { BatonError, ERROR_CODES } from '@baton/protocol';
import type { Context, MiddlewareHandler } from 'hono';
import type { ChatTokens } from './chat-tokens.ts';
import type { GatewayEnv } from './gateway-env.ts';

function bearerOf(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/** Requires a valid per-chat token; the route then checks it names the chat it touches. */
export function chatAuth(tokens: ChatTokens): MiddlewareHandler<GatewayEnv> {
  return async function chatAuthMiddleware(c, next) {
    const token = bearerOf(c);
    const claims = token ? await tokens.verify(token) : undefined;
    if (!claims) {
      throw new BatonError(ERROR_CODES.UNAUTHORIZED, 'a valid chat token is required', {
        safeMessage: 'A valid chat token is required (Authorization: Bearer <token>).',
      });
    }
    c.set('chatToken', claims);
    await next();
  };
}

/** A token for one chat reads or writes nothing of another. */
export function assertChatAccess(c: Context<GatewayEnv>, chatId: string): void {
  if (c.get('chatToken').chatId !== chatId) {
    throw new BatonError(ERROR_CODES.FORBIDDEN, 'this token is for another chat');
  }
}

/** Requires the secret key as bearer: server-side routes only. */
export function secretAuth(tokens: ChatTokens): MiddlewareHandler<GatewayEnv> {
  return async function secretAuthMiddleware(c, next) {
    const token = bearerOf(c);
    if (!token || !tokens.isSecret(token)) {
      throw new BatonError(ERROR_CODES.UNAUTHORIZED, 'the secret key is required', {
        safeMessage: 'The secret key is required (Authorization: Bearer <BATON_SECRET>).',
      });
    }
    await next();
  };
}
