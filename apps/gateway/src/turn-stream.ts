import type { OutputEntry } from '@baton/protocol';
import { followStream, type RedisSessionStore, type WakeSubscriber } from '@baton/session-store';
import { UI_MESSAGE_STREAM_HEADERS } from 'ai';
import type { Context } from 'hono';
import type { GatewayLogger } from './dependencies.ts';

/** Output entries read per round trip; a chunk is small, so a page is at most some 100 KB. */
const READ_PAGE_SIZE = 500;

/** Which turn a response streams. */
export type TurnSelector =
  /** The turn that answers one input record; records before its `turn-start` are skipped. */
  | { kind: 'answer'; inputId: string; afterId: string }
  /** The in-flight turn from its `turn-start` (inclusive): a replay from the first chunk. */
  | { kind: 'replay'; turnStartId: string }
  /** The in-flight turn after a position the client already has (`Last-Event-ID`). */
  | { kind: 'resume'; afterId: string };

export type TurnStreamOptions = {
  store: RedisSessionStore;
  logger: GatewayLogger;
  subscriber: WakeSubscriber;
  chatId: string;
  selector: TurnSelector;
  keepAliveMs: number;
  pollIntervalMs: number;
};

/**
 * Streams one turn's UI message chunks as the AI SDK's SSE framing (`data: <chunk>`, then
 * `data: [DONE]`), ending at the turn's `turn-complete`. Each event carries its output-stream id,
 * so a client can resume after it. A closed connection only stops this reader: the turn goes on.
 * Built on a plain `ReadableStream` rather than Hono's `streamSSE`, which always ends a response
 * cleanly, even after its callback failed.
 */
export function streamTurn(c: Context, options: TurnStreamOptions): Response {
  const { store, chatId, selector } = options;
  const encoder = new TextEncoder();
  const controller = new AbortController();
  let isInTurn = selector.kind !== 'answer';
  let isFirstRead = true;
  const read = (afterId: string): Promise<OutputEntry[]> => {
    if (isFirstRead && selector.kind === 'replay') {
      isFirstRead = false;
      return store.readOutputFrom(chatId, selector.turnStartId, READ_PAGE_SIZE);
    }
    return store.readOutput(chatId, afterId, READ_PAGE_SIZE);
  };

  /** Writes to the response unless the client went away (a closed body refuses writes). */
  const send = (body: ReadableStreamDefaultController<Uint8Array>, text: string): void => {
    if (!controller.signal.aborted) body.enqueue(encoder.encode(text));
  };

  /** Follows the output and writes the turn's events; resolves once the turn ended. */
  const pump = async (body: ReadableStreamDefaultController<Uint8Array>): Promise<void> => {
    const batches = followStream({
      subscriber: options.subscriber,
      channel: store.keys(chatId).outputWake,
      read,
      pageSize: READ_PAGE_SIZE,
      afterId: selector.kind === 'replay' ? selector.turnStartId : selector.afterId,
      signal: controller.signal,
      pollIntervalMs: options.pollIntervalMs,
      onReadError: (error) => {
        options.logger.warn({ err: error, chatId }, 'reading the output failed; retrying');
      },
    });
    for await (const entries of batches) {
      // One write per read: every chunk of the batch becomes one SSE event.
      let events = '';
      let isDone = false;
      for (const entry of entries) {
        if (entry.type === 'chunk') {
          if (isInTurn) events += `id: ${entry.id}\ndata: ${entry.json}\n\n`;
          continue;
        }
        const { record } = entry;
        if (record.kind === 'turn-start') {
          if (selector.kind === 'replay' && entry.id === selector.turnStartId) continue;
          if (!isInTurn && selector.kind === 'answer' && record.inputId === selector.inputId) {
            isInTurn = true;
          } else if (isInTurn) {
            // A newer turn began: the followed one ended without completing.
            isDone = true;
            break;
          }
        } else if (record.kind === 'turn-complete' && isInTurn) {
          isDone = true;
          break;
        }
        // A `turn-retry` means another worker recovers the turn: its chunks follow.
      }
      if (events !== '') send(body, events);
      if (isDone) {
        send(body, 'data: [DONE]\n\n');
        return;
      }
    }
  };

  const stream = new ReadableStream<Uint8Array>({
    start(body) {
      const keepAlive = setInterval(() => send(body, ': keep-alive\n\n'), options.keepAliveMs);
      pump(body)
        .then(() => {
          if (!controller.signal.aborted) body.close();
        })
        .catch((error: unknown) => {
          // Never end a turn's response cleanly when the turn did not end: a client would take a
          // partial answer for a whole one. An errored body drops the connection; it resumes.
          options.logger.error({ err: error, chatId }, 'turn stream failed');
          if (!controller.signal.aborted) body.error(error);
        })
        .finally(() => {
          clearInterval(keepAlive);
          controller.abort();
        });
    },
    cancel() {
      // The client went away: stop following. The turn itself goes on.
      controller.abort();
    },
  });
  return c.body(stream, 200, UI_MESSAGE_STREAM_HEADERS);
}
