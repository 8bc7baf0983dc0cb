import { describe, expect, it } from 'vitest';
import { parseSseChunks, readSseEvents, type SseEvent, sseText } from './sse-reader.ts';

/** A response body that delivers `pieces` one read at a time, as a network would split it. */
function bodyOf(pieces: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
}

async function readAll(pieces: string[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readSseEvents(bodyOf(pieces))) events.push(event);
  return events;
}

const TURN_EVENTS: SseEvent[] = [
  { id: '1-0', data: '{"type":"start"}' },
  { id: '1-1', data: '{"type":"text-delta","id":"t","delta":"Hel"}' },
  { id: '1-2', data: '{"type":"text-delta","id":"t","delta":"lo"}' },
  { id: undefined, data: '[DONE]' },
];

/** The turn above as a server frames it, with `newline` between lines. */
function framed(newline: string): string {
  return [
    `: keep-alive${newline}${newline}`,
    ...TURN_EVENTS.map(
      (event) => `${event.id === undefined ? '' : `id: ${event.id}${newline}`}data: ${event.data}`,
    ).map((block) => `${block}${newline}${newline}`),
  ].join('');
}

/** `text` cut into pieces of `size` characters: every line ending lands on some boundary. */
function piecesOf(text: string, size: number): string[] {
  return Array.from({ length: Math.ceil(text.length / size) }, (_, index) =>
    text.slice(index * size, (index + 1) * size),
  );
}

describe('readSseEvents', () => {
  it('reads LF-framed events with their ids, skipping comments', async () => {
    expect(await readAll([framed('\n')])).toEqual(TURN_EVENTS);
  });

  it('reads CRLF-framed events, also with a CR and its LF in different reads', async () => {
    const body = framed('\r\n');
    expect(await readAll([body])).toEqual(TURN_EVENTS);
    for (const size of [1, 2, 3, 7])
      expect(await readAll(piecesOf(body, size))).toEqual(TURN_EVENTS);
  });

  it('joins the lines of a multi-line data field with LF', async () => {
    expect(await readAll(['data: a\r\ndata: b\r\n\r\n'])).toEqual([
      { id: undefined, data: 'a\nb' },
    ]);
  });
});

describe('sseText and parseSseChunks', () => {
  it('read a whole CRLF-framed body as they read an LF-framed one', () => {
    for (const newline of ['\n', '\r\n']) {
      expect(sseText(framed(newline))).toBe('Hello');
      expect(parseSseChunks(framed(newline)).map((chunk) => chunk.type)).toEqual([
        'start',
        'text-delta',
        'text-delta',
      ]);
    }
  });
});
