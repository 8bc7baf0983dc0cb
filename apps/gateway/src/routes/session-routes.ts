import { randomBytes } from 'node:crypto';
import {
  BatonError,
  type CreateSessionBody,
  type CreateSessionResponse,
  closeSessionBodySchema,
  createSessionBodySchema,
  ERROR_CODES,
} from '@baton/protocol';
import { preloadSession } from '@baton/session-store';
import { Hono } from 'hono';
import { listLiveAgents } from '../agent-directory.ts';
import { secretAuth } from '../chat-auth.ts';
import type { GatewayDependencies } from '../dependencies.ts';
import type { GatewayEnv } from '../gateway-env.ts';
import { chatIdParameter, parseJsonBody } from './request-parsing.ts';

/** Server-side routes, behind the secret key: sessions and the agent list. */
export function sessionRoutes(dependencies: GatewayDependencies): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  app.use('*', secretAuth(dependencies.tokens));

  app.post('/sessions', async (c) => {
    const body = await parseJsonBody(c.req.raw, createSessionBodySchema);
    const created = await ensureSession(dependencies, body);
    return c.json(created, created.isNew ? 201 : 200);
  });

  app.get('/agents', async (c) => c.json({ agents: await listLiveAgents(dependencies.store) }));

  /**
   * Closes a chat for good: its messages get 409 `SESSION_CLOSED` afterwards, a turn in flight
   * ends, and its keys expire after `BATON_CLOSED_RETENTION_SECONDS`. Idempotent.
   */
  app.post('/sessions/:id/close', async (c) => {
    const chatId = chatIdParameter(c.req.param('id'));
    const { reason } = await parseJsonBody(c.req.raw, closeSessionBodySchema, {
      isEmptyAllowed: true,
    });
    const isNew = await dependencies.store.close(chatId, reason);
    return c.json({ chatId, status: 'closed', wasOpen: isNew });
  });

  return app;
}

/**
 * Dev-only: `POST /playground/sessions` creates a session and mints its token without the secret,
 * and `GET /playground/agents` lists the live agents, so the playground page can start chats with
 * any agent the workers host. Never enable it where strangers reach the gateway.
 */
export function playgroundRoutes(dependencies: GatewayDependencies): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  app.get('/agents', async (c) => c.json({ agents: await listLiveAgents(dependencies.store) }));
  app.post('/sessions', async (c) => {
    const body = await parseJsonBody(c.req.raw, createSessionBodySchema);
    const created = await ensureSession(dependencies, {
      agent: body.agent,
      ...(body.preload ? { preload: true } : {}),
    });
    return c.json(created, created.isNew ? 201 : 200);
  });
  return app;
}

/**
 * Creates the session unless it exists (idempotent per chat id), preloads it when asked, and mints
 * a fresh chat token.
 */
async function ensureSession(
  dependencies: GatewayDependencies,
  body: CreateSessionBody,
): Promise<CreateSessionResponse> {
  const { store, tokens } = dependencies;
  const agents = await listLiveAgents(store);
  if (!agents.some((agent) => agent.id === body.agent)) {
    throw new BatonError(ERROR_CODES.NOT_FOUND, `no live worker hosts the agent "${body.agent}"`);
  }
  const chatId = body.chatId ?? `chat-${randomBytes(12).toString('base64url')}`;
  const { isNew, agentId, isClosed } = await store.createSession({
    chatId,
    agentId: body.agent,
    ...(body.clientData ? { clientData: body.clientData } : {}),
    ...(body.tags ? { tags: body.tags } : {}),
  });
  if (agentId !== body.agent) {
    throw new BatonError(ERROR_CODES.CONFLICT, `chat ${chatId} belongs to another agent`);
  }
  const preloaded =
    body.preload && !isClosed ? await preload(dependencies, chatId, body.clientData) : undefined;
  const { token, expiresAt } = await tokens.mint(chatId);
  return {
    chatId,
    agent: agentId,
    token,
    tokenExpiresAt: expiresAt,
    isNew,
    isClosed,
    ...(preloaded === undefined ? {} : { preloaded }),
  };
}

/**
 * Starts the chat's run before its first message (docs/agents/preload.md), through the same
 * enqueue a message append uses; resolves whether this request started it. A chat that a run
 * holds or awaits, or that ran before, is left as it is (preload-session.lua).
 */
async function preload(
  { store, runQueue }: GatewayDependencies,
  chatId: string,
  clientData: Record<string, unknown> | undefined,
): Promise<boolean> {
  const result = await preloadSession(store, { chatId, ...(clientData ? { clientData } : {}) });
  if (!result.isPreloaded) return false;
  await runQueue.enqueue(result.agentId, { chatId, runSeq: result.runSeqToEnqueue });
  return true;
}
