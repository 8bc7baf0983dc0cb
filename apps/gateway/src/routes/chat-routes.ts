import { randomUUID } from 'node:crypto';
import {
  BatonError,
  chatRequestBodySchema,
  clientDataOf,
  ERROR_CODES,
  type InputRecord,
  upsertMessage,
} from '@baton/protocol';
import { compareStreamIds } from '@baton/session-store';
import { safeValidateUIMessages, type UIMessage } from 'ai';
import { Hono } from 'hono';
import { locateAnswer } from '../answer-locator.ts';
import { assertChatAccess, chatAuth } from '../chat-auth.ts';
import type { GatewayDependencies } from '../dependencies.ts';
import type { GatewayEnv } from '../gateway-env.ts';
import { invalidRequest } from '../http-errors.ts';
import { readChatRequest } from '../read-chat-request.ts';
import { requestPartId } from '../request-part-id.ts';
import { StreamMetrics } from '../stream-metrics.ts';
import { streamTurn } from '../turn-stream.ts';
import { chatIdParameter, describeIssues } from './request-parsing.ts';

const PART_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const STREAM_ID_PATTERN = /^\d+-\d+$/;

/**
 * The chat protocol of the stock AI SDK client (the README's HTTP API), behind per-chat tokens:
 * `POST /` appends one message and streams the turn that answers it, `GET /:id/stream` resumes
 * the in-flight turn, `POST /:id/stop` stops it, `GET /:id/messages` restores a page.
 */
export function chatRoutes(dependencies: GatewayDependencies): Hono<GatewayEnv> {
  const { store, subscriber, config, runQueue } = dependencies;
  const app = new Hono<GatewayEnv>();
  app.use('*', chatAuth(dependencies.tokens));

  const streamOptions = {
    store,
    logger: dependencies.logger,
    subscriber,
    keepAliveMs: config.sseKeepAliveMs,
    pollIntervalMs: config.outputPollIntervalMs,
    metrics: dependencies.metrics ?? new StreamMetrics(),
  };

  app.post('/', async (c) => {
    // Only the last message is kept and parsed: the history the stock transport echoes is not.
    const json = await readChatRequest(c.req.raw, {
      maxMessageBytes: config.maxMessageBytes,
      maxRequestBytes: config.maxRequestBytes,
    });
    const parsed = chatRequestBodySchema.safeParse(json);
    if (!parsed.success) throw invalidRequest(describeIssues(parsed.error.issues));
    const body = parsed.data;
    assertChatAccess(c, body.id);

    const message = body.message ?? body.messages?.at(-1);
    if (!message) throw invalidRequest('body needs a "message" or a non-empty "messages" array');
    await assertValidMessage(message as UIMessage);
    const partId =
      partIdHeader(c.req.header('x-baton-part-id')) ??
      (await requestPartId(store, body.id, {
        trigger: body.trigger,
        messageId: body.messageId,
        message: message as UIMessage,
        action: body.action,
      }));
    const record: InputRecord = {
      kind: 'message',
      message,
      trigger: body.trigger,
      ...(body.messageId ? { messageId: body.messageId } : {}),
      ...(body.action !== undefined ? { action: body.action } : {}),
      ...withClientData(clientDataOf(json)),
      receivedAt: Date.now(),
    };
    // The append also marks the chat in the custody index: a gateway that dies before its
    // enqueue below leaves a trace that the reconciler repairs.
    const appended = await store.appendInput(body.id, record, partId);
    dependencies.faults.trip('gateway-after-append');
    if (appended.runSeqToEnqueue > 0) {
      await runQueue.enqueue(appended.agentId, {
        chatId: body.id,
        runSeq: appended.runSeqToEnqueue,
      });
    }
    return streamTurn(c, {
      ...streamOptions,
      chatId: body.id,
      selector: {
        kind: 'answer',
        inputId: appended.inputId,
        request: message as UIMessage,
        // A retry's turn may be in flight, done, or trimmed away: find where its answer is.
        location: appended.isDuplicate
          ? await locateAnswer(store, body.id, appended)
          : { kind: 'next', afterId: appended.outputTailId },
      },
    });
  });

  app.get('/:id/stream', async (c) => {
    const chatId = chatIdParameter(c.req.param('id'));
    assertChatAccess(c, chatId);
    const session = await store.getSession(chatId);
    if (!session) throw new BatonError(ERROR_CODES.NOT_FOUND, `chat ${chatId} has no session`);
    const turnStartId = session.activeTurnOutputId;
    if (!turnStartId) return c.body(null, 204);
    const lastEventId = c.req.header('last-event-id');
    const canResume =
      lastEventId !== undefined &&
      STREAM_ID_PATTERN.test(lastEventId) &&
      compareStreamIds(lastEventId, turnStartId) > 0;
    return streamTurn(c, {
      ...streamOptions,
      chatId,
      selector: canResume
        ? { kind: 'resume', afterId: lastEventId }
        : { kind: 'replay', turnStartId },
    });
  });

  app.post('/:id/stop', async (c) => {
    const chatId = chatIdParameter(c.req.param('id'));
    assertChatAccess(c, chatId);
    const appended = await store.appendInput(
      chatId,
      { kind: 'stop', receivedAt: Date.now() },
      partIdHeader(c.req.header('x-baton-part-id')) ?? `stop-${randomUUID()}`,
    );
    return c.json({ ok: true, isStopping: appended.inputId !== '' });
  });

  app.get('/:id/messages', async (c) => {
    const chatId = chatIdParameter(c.req.param('id'));
    assertChatAccess(c, chatId);
    const session = await store.getSession(chatId);
    if (!session) throw new BatonError(ERROR_CODES.NOT_FOUND, `chat ${chatId} has no session`);
    const [persisted, pending] = await Promise.all([
      store.loadMessages(chatId),
      store.readInput(chatId, session.inputCursor, 1000),
    ]);
    // Accepted messages whose turns have not completed yet belong to the page too.
    let messages = persisted as UIMessage[];
    for (const entry of pending) {
      if (entry.record.kind !== 'message') continue;
      messages = upsertMessage(messages, entry.record.message as UIMessage).messages;
    }
    return c.json({ messages });
  });

  return app;
}

async function assertValidMessage(message: UIMessage): Promise<void> {
  if (message.role === 'system') {
    throw invalidRequest('only user and assistant messages may be sent');
  }
  const result = await safeValidateUIMessages({ messages: [message] });
  if (!result.success) throw invalidRequest(`invalid message: ${result.error.message}`);
}

/** A client's `x-baton-part-id`, validated; undefined when it sent none. */
function partIdHeader(header: string | undefined): string | undefined {
  if (header !== undefined && !PART_ID_PATTERN.test(header)) {
    throw invalidRequest('x-baton-part-id must be 1-128 characters of A-Z, a-z, 0-9, "_", "-"');
  }
  return header;
}

function withClientData(clientData: Record<string, unknown> | undefined) {
  return clientData ? { clientData } : {};
}
