import { createParser } from 'eventsource-parser';
import { EventSourceParserStream } from 'eventsource-parser/stream';

/** One server-sent event: its `id:` and its `data:` (lines joined with `\n`). */
export type SseEvent = { id: string | undefined; data: string };

/**
 * Reads a `text/event-stream` response body event by event, framed by LF, CRLF or CR as the SSE
 * spec allows (eventsource-parser). Comments (`: keep-alive`) are skipped. Stops when the body ends
 * or the consumer breaks out of the loop, which cancels the body.
 */
export async function* readSseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const events = body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  for await (const event of events) yield { id: event.id, data: event.data };
}

/** The events of a whole SSE body; an event without its closing blank line is dropped. */
export function parseSseEvents(body: string): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createParser({
    onEvent: (event) => events.push({ id: event.id, data: event.data }),
  });
  parser.feed(body);
  return events;
}

/** A UI message chunk as a test reads it from an SSE body. */
export type SseChunk = { type: string; delta?: string };

/** The JSON chunks of a whole SSE body, without the closing `[DONE]`. */
export function parseSseChunks(body: string): SseChunk[] {
  return parseSseEvents(body)
    .filter((event) => event.data !== '[DONE]')
    .map((event) => JSON.parse(event.data) as SseChunk);
}

/** The text of a whole SSE turn: its text deltas, joined. */
export function sseText(body: string): string {
  return parseSseChunks(body)
    .filter((chunk) => chunk.type === 'text-delta')
    .map((chunk) => chunk.delta)
    .join('');
}
