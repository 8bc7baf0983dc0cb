import type { UIMessageChunk } from 'ai';
import { createParser } from 'eventsource-parser';

/** What one streamed turn looked like from the client, with `performance.now()` timestamps. */
export type TurnTrace = {
  /** Just before `fetch` was called. */
  startedAtMs: number;
  /** When the body read that completed the first `text-delta` event returned. */
  firstDeltaAtMs: number;
  lastDeltaAtMs: number;
  /** When the body ended. */
  endedAtMs: number;
  deltaCount: number;
  /** The `text-delta` deltas, joined: the reply (a `reset-step` drops its step's deltas). */
  text: string;
  errorTexts: string[];
  /** Whether the stream ended with `data: [DONE]`. */
  isDone: boolean;
  /** Body reads that returned data: how coalesced the events arrived. */
  readCount: number;
};

export type PostTurnOptions = {
  url: string;
  headers?: Record<string, string>;
  body: unknown;
  timeoutMs?: number;
  /** Called for every chunk as it is read, with the time of the read that completed it. */
  onChunk?: (chunk: UIMessageChunk, atMs: number) => void;
};

/**
 * `POST`s a chat turn and reads its SSE response (`data: <chunk>` events, then `data: [DONE]`),
 * timestamping every event as its bytes arrive. Events that arrive in the same read share a
 * timestamp. Throws on a non-2xx status, a timeout or a reply with no `text-delta` at all.
 *
 * @example
 * ```ts
 * const trace = await postTurn({ url: `${base}/api/chat`, body: { id, message } });
 * console.log(trace.firstDeltaAtMs - trace.startedAtMs);
 * ```
 */
export async function postTurn(options: PostTurnOptions): Promise<TurnTrace> {
  const startedAtMs = performance.now();
  const response = await fetch(options.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  });
  if (!response.ok || !response.body) {
    throw new Error(`POST ${options.url} answered ${response.status}: ${await response.text()}`);
  }
  let firstDeltaAtMs = Number.NaN;
  let lastDeltaAtMs = Number.NaN;
  let deltaCount = 0;
  const texts: string[] = [];
  /** Where the current step's deltas begin in `texts`: what a `reset-step` drops. */
  let stepTextStart = 0;
  const errorTexts: string[] = [];
  let isDone = false;
  let readCount = 0;
  /** When the body read being parsed returned: the time of every event that read completes. */
  let readAtMs = Number.NaN;

  // `id:`, `event:` and `: keep-alive` comments carry nothing measured here.
  const parser = createParser({
    onEvent: ({ data }) => {
      if (data === '[DONE]') {
        isDone = true;
        return;
      }
      const chunk = JSON.parse(data) as UIMessageChunk;
      options.onChunk?.(chunk, readAtMs);
      if (chunk.type === 'text-delta') {
        if (deltaCount === 0) firstDeltaAtMs = readAtMs;
        lastDeltaAtMs = readAtMs;
        deltaCount += 1;
        texts.push(chunk.delta);
      } else if (chunk.type === 'error') {
        errorTexts.push(chunk.errorText);
      } else if (chunk.type === 'start-step') {
        stepTextStart = texts.length;
      } else if (chunk.type === 'reset-step') {
        // A recovered turn drops its dead attempt's unfinished step, as the AI SDK's client does
        // (it splices the step's parts; the continuation's own `start-step` is not sent).
        texts.length = stepTextStart;
      }
    },
  });

  const decoder = new TextDecoder();
  for await (const bytes of response.body) {
    readAtMs = performance.now();
    readCount += 1;
    parser.feed(decoder.decode(bytes, { stream: true }));
  }
  parser.feed(decoder.decode());
  const endedAtMs = performance.now();
  if (deltaCount === 0) {
    throw new Error(`POST ${options.url} streamed no text (errors: ${errorTexts.join('; ')})`);
  }
  return {
    startedAtMs,
    firstDeltaAtMs,
    lastDeltaAtMs,
    endedAtMs,
    deltaCount,
    text: texts.join(''),
    errorTexts,
    isDone,
    readCount,
  };
}
