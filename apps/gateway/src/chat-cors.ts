import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/** How long a browser may cache a preflight answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for the chat routes (`/api/chat/*`), for a web app served from another origin than the
 * gateway, whose browser talks to the gateway directly with a chat token (as Trigger.dev's
 * browser talks to its API with a public token). Only the listed origins are allowed; the
 * secret-key routes (`/v1/*`) never answer a browser. Credentials (cookies) are not used: the
 * token travels in `authorization`.
 */
export function chatCors(origins: readonly string[]): MiddlewareHandler {
  return cors({
    origin: origins.includes('*') ? '*' : [...origins],
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: ['authorization', 'content-type', 'last-event-id'],
    exposeHeaders: ['x-vercel-ai-ui-message-stream', 'x-request-id'],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  });
}
