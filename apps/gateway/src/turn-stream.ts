import { BatonError, ERROR_CODES, type OutputEntry } from '@baton/protocol';
import {
  compareStreamIds,
  followStream,
  type RedisSessionStore,
  type WakeSubscriber,
} from '@baton/session-store';
import { UI_MESSAGE_STREAM_HEADERS, type UIMessage, type UIMessageChunk } from 'ai';
import type { Context } from 'hono';
import {
  type AnswerLocation,
  answerFromCheckpoint,
  isInputHandled,
  isTurnStartOf,
} from './answer-locator.ts';
import type { GatewayLogger } from './dependencies.ts';
import type { StreamMetrics } from './stream-metrics.ts';

/** Output entries read per round trip; a chunk is small, so a page is at most some 100 KB. */
const READ_PAGE_SIZE = 500;

/**
 * Bytes of SSE a response holds for its client before it stops reading the output: the output
 * waits in Redis, not in the gateway, until the client reads on. Two pages' worth keeps a client
 * that reads steadily from waiting on a round trip; past the socket's buffers, a stalled client
 * costs the gateway this plus one page.
 */
const HIGH_WATER_MARK_BYTES = 256 * 1024;

const DONE_EVENT = 'data: [DONE]\n\n';

/** The `error` chunk's text when the chat is closed under a response. */
const SESSION_CLOSED_TEXT = 'The chat was closed.';

/** Which turn a response streams. */
export type TurnSelector =
  /** The turn that answers one input record, wherever `locateAnswer` found it. */
  | { kind: 'answer'; inputId: string; request: UIMessage; location: AnswerLocation }
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
  metrics: StreamMetrics;
};

/**
 * Streams one turn's UI message chunks as the AI SDK's SSE framing (`data: <chunk>`, then
 * `data: [DONE]`), ending at the turn's `turn-complete`. Each event carries its output-stream id,
 * so a client can resume after it. A closed connection only stops this reader: the turn goes on.
 *
 * The response is a pull source: it reads the next page of output only when its queue has room
 * (a byte-counted high-water mark), so a client that reads slowly or not at all leaves the output
 * in Redis instead of in the gateway's memory. An answer whose turn is no longer in the output
 * comes from the checkpoint, and a wait for a turn that can no longer appear ends.
 * Built on a plain `ReadableStream` rather than Hono's `streamSSE`, which always ends a response
 * cleanly, even after its callback failed.
 */
export function streamTurn(c: Context, options: TurnStreamOptions): Response {
  const { store, chatId, selector, metrics } = options;
  const encoder = new TextEncoder();
  // Aborted when the client goes away, when the response ends, or when the answer's turn is gone.
  const controller = new AbortController();
  const answer = selector.kind === 'answer' ? selector : undefined;
  const start = startOf(selector);
  let isInTurn = answer === undefined;
  let isTurnGone = answer?.location.kind === 'checkpoint';
  let isFirstRead = true;
  let lastHandledCheckAt = Date.now();
  let isOpen = true;
  let isAwaitingClient = false;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let batches: AsyncGenerator<OutputEntry[]> | undefined;

  const read = async (afterId: string): Promise<OutputEntry[]> => {
    // An answer still waiting for its turn checks, now and then, that the turn can still come:
    // an input the chat handled, with its `turn-start` not in what follows, never gets one.
    let isHandledBeforeRead = false;
    if (answer && !isInTurn && Date.now() - lastHandledCheckAt >= options.pollIntervalMs) {
      lastHandledCheckAt = Date.now();
      isHandledBeforeRead = await isInputHandled(store, chatId, answer.inputId);
    }
    const entries =
      isFirstRead && start.isInclusive
        ? await store.readOutputFrom(chatId, start.id, READ_PAGE_SIZE)
        : await store.readOutput(chatId, afterId, READ_PAGE_SIZE);
    isFirstRead = false;
    metrics.outputEntriesRead += entries.length;
    if (
      answer &&
      isHandledBeforeRead &&
      entries.length < READ_PAGE_SIZE &&
      !entries.some((entry) => isTurnStartOf(entry, answer.inputId))
    ) {
      isTurnGone = true;
      controller.abort();
    }
    return entries;
  };

  /** One batch as SSE events (one write per read); whether it holds the turn's end. */
  const frame = (entries: OutputEntry[]): { events: string; isDone: boolean } => {
    let events = '';
    for (const entry of entries) {
      if (entry.type === 'chunk') {
        if (isInTurn) events += `id: ${entry.id}\ndata: ${entry.json}\n\n`;
        continue;
      }
      const { record } = entry;
      if (record.kind === 'session-closed') {
        // Nothing follows: a turn still to come never will, one in flight ended unfinished.
        const closed: UIMessageChunk = { type: 'error', errorText: SESSION_CLOSED_TEXT };
        return {
          events: `${events}id: ${entry.id}\ndata: ${JSON.stringify(closed)}\n\n`,
          isDone: true,
        };
      }
      if (answer && !isInTurn) {
        if (isTurnStartOf(entry, answer.inputId)) {
          isInTurn = true;
        } else if (
          compareStreamIds(record.inputId, answer.inputId) > 0 ||
          (record.kind === 'turn-complete' && record.inputId === answer.inputId)
        ) {
          // Turns run in input order: a later input's turn, or this one's end without its
          // start, means this turn's records were trimmed away. The checkpoint has the answer.
          isTurnGone = true;
          return { events, isDone: false };
        }
        continue;
      }
      if (record.kind === 'turn-complete') return { events, isDone: true };
      if (record.kind === 'turn-start') {
        if (selector.kind === 'replay' && entry.id === selector.turnStartId) continue;
        // The followed turn's end is not in the output: trimmed under a reader a whole turn
        // behind, or never written. A client would take what it has for the whole answer.
        throw new BatonError(
          ERROR_CODES.CONFLICT,
          `chat ${chatId}: turn-start ${entry.id} came before the followed turn's turn-complete`,
        );
      }
      // A `turn-retry` means another worker recovers the turn: its chunks follow.
    }
    return { events, isDone: false };
  };

  /** The next write: SSE events, and whether they end the response; undefined once cancelled. */
  const produce = async (): Promise<{ events: string; isLast: boolean } | undefined> => {
    if (!isTurnGone) {
      batches ??= followStream({
        subscriber: options.subscriber,
        channel: store.keys(chatId).outputWake,
        read,
        pageSize: READ_PAGE_SIZE,
        afterId: start.id,
        signal: controller.signal,
        pollIntervalMs: options.pollIntervalMs,
        onReadError: (error) => {
          options.logger.warn({ err: error, chatId }, 'reading the output failed; retrying');
        },
      });
      for (;;) {
        const next = await batches.next();
        if (next.done) break;
        const { events, isDone } = frame(next.value);
        if (isDone) return { events: events + DONE_EVENT, isLast: true };
        if (isTurnGone) break;
        // Entries before the answer's turn make no events: read on rather than write nothing.
        if (events !== '') return { events, isLast: false };
      }
    }
    if (!answer || !isTurnGone) return undefined;
    const chunks = await answerFromCheckpoint(store, chatId, answer.request);
    return { events: checkpointEvents(chunks), isLast: true };
  };

  const setAwaitingClient = (isAwaiting: boolean): void => {
    if (isAwaiting === isAwaitingClient) return;
    isAwaitingClient = isAwaiting;
    metrics.streamsAwaitingClient += isAwaiting ? 1 : -1;
  };

  /** Ends this reader once: the turn ended, the response failed, or the client went away. */
  const close = (): void => {
    if (!isOpen) return;
    isOpen = false;
    clearInterval(keepAlive);
    controller.abort();
    setAwaitingClient(false);
    metrics.openStreams -= 1;
    // Ends the follow's wake-up watch; queued behind a read in progress, which the abort ends.
    batches?.return(undefined).catch(() => {});
  };

  const stream = new ReadableStream<Uint8Array>(
    {
      start(body) {
        metrics.openStreams += 1;
        keepAlive = setInterval(() => {
          // Only into room the client made: a comment must not grow a stalled client's queue.
          if (!isOpen || (body.desiredSize ?? 0) <= 0) return;
          body.enqueue(encoder.encode(': keep-alive\n\n'));
        }, options.keepAliveMs);
      },
      async pull(body) {
        setAwaitingClient(false);
        try {
          const next = await produce();
          if (!isOpen || next === undefined) return;
          body.enqueue(encoder.encode(next.events));
          if (next.isLast) {
            body.close();
            close();
          } else if ((body.desiredSize ?? 0) <= 0) {
            // No read until the client makes room: the stream calls `pull` again then.
            setAwaitingClient(true);
          }
        } catch (error) {
          if (!isOpen) return;
          // Never end a turn's response cleanly when the turn did not end: a client would take a
          // partial answer for a whole one. An errored body drops the connection; it resumes.
          options.logger.error({ err: error, chatId }, 'turn stream failed');
          close();
          throw error;
        }
      },
      cancel() {
        // The client went away: stop following. The turn itself goes on.
        close();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER_MARK_BYTES }),
  );
  return c.body(stream, 200, UI_MESSAGE_STREAM_HEADERS);
}

/** Where the follow starts: after an id, or from it (a turn's `turn-start`, read inclusively). */
function startOf(selector: TurnSelector): { id: string; isInclusive: boolean } {
  switch (selector.kind) {
    case 'replay':
      return { id: selector.turnStartId, isInclusive: true };
    case 'resume':
      return { id: selector.afterId, isInclusive: false };
    case 'answer': {
      const { location } = selector;
      if (location.kind === 'turn') return { id: location.turnStartId, isInclusive: true };
      if (location.kind === 'next') return { id: location.afterId, isInclusive: false };
      return { id: '0-0', isInclusive: false };
    }
  }
}

/**
 * An answer rebuilt from the checkpoint, as one write. Its events carry no `id:`: they have no
 * place in the output stream to resume from.
 */
function checkpointEvents(chunks: UIMessageChunk[]): string {
  return chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('') + DONE_EVENT;
}
