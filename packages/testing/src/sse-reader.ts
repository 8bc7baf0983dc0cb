/** One server-sent event: its `id:` and its `data:` (lines joined with `\n`). */
export type SseEvent = { id: string | undefined; data: string };

/**
 * Reads a `text/event-stream` response body event by event. Comments (`: keep-alive`) are
 * skipped. Stops when the body ends or the consumer breaks out of the loop.
 */
export async function* readSseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += value;
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end === -1) break;
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id: string | undefined;
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('id:')) id = line.slice(3).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length > 0) yield { id, data: data.join('\n') };
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** A UI message chunk as a test reads it from an SSE body. */
export type SseChunk = { type: string; delta?: string };

/** The JSON chunks of a whole SSE body (`data:` lines), without the closing `[DONE]`. */
export function parseSseChunks(body: string): SseChunk[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => JSON.parse(line.slice('data: '.length)) as SseChunk);
}

/** The text of a whole SSE turn: its text deltas, joined. */
export function sseText(body: string): string {
  return parseSseChunks(body)
    .filter((chunk) => chunk.type === 'text-delta')
    .map((chunk) => chunk.delta)
    .join('');
}
