import type { OutputEntry } from '@baton/protocol';
import { followStream, type RedisSessionStore, type WakeSubscriber } from '@baton/session-store';
import { UI_MESSAGE_STREAM_HEADERS } from 'ai';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

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
 */
export function streamTurn(c: Context, options: TurnStreamOptions): Response {
  for (const [name, value] of Object.entries(UI_MESSAGE_STREAM_HEADERS)) c.header(name, value);
  const { store, chatId, selector } = options;
  return streamSSE(c, async (sse) => {
    const controller = new AbortController();
    sse.onAbort(() => controller.abort());
    const keepAlive = setInterval(() => {
      sse.write(': keep-alive\n\n').catch(() => controller.abort());
    }, options.keepAliveMs);
    let isInTurn = selector.kind !== 'answer';
    let isFirstRead = true;
    const read = (afterId: string): Promise<OutputEntry[]> => {
      if (isFirstRead && selector.kind === 'replay') {
        isFirstRead = false;
        return store.readOutputFrom(chatId, selector.turnStartId, READ_PAGE_SIZE);
      }
      return store.readOutput(chatId, afterId, READ_PAGE_SIZE);
    };
    try {
      const batches = followStream({
        subscriber: options.subscriber,
        channel: store.keys(chatId).outputWake,
        read,
        pageSize: READ_PAGE_SIZE,
        afterId: selector.kind === 'replay' ? selector.turnStartId : selector.afterId,
        signal: controller.signal,
        pollIntervalMs: options.pollIntervalMs,
      });
      let isDone = false;
      for await (const entries of batches) {
        // One socket write per read: every chunk of the batch becomes one SSE event.
        let events = '';
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
              // A newer turn began: the followed one ended without completing (its run died).
              isDone = true;
              break;
            }
          } else if (record.kind === 'turn-complete' && isInTurn) {
            isDone = true;
            break;
          }
          // A `turn-retry` means another worker recovers the turn: its chunks follow.
        }
        if (events !== '') await sse.write(events);
        if (isDone) break;
      }
      if (isDone) await sse.write('data: [DONE]\n\n');
    } finally {
      clearInterval(keepAlive);
      controller.abort();
    }
  });
}
