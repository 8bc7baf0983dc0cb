import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';

/**
 * How long a stopped turn's stream may take to end by itself (an agent that passed `signal` to
 * `streamText` ends with an `abort` chunk at once) before the runtime cancels it.
 */
export const STOP_GRACE_MS = 1000;

/**
 * Pipes a turn's UI message chunks to `write` until the stream ends. On a stop it gives the
 * stream `STOP_GRACE_MS` to end by itself, then cancels it and writes the `abort` chunk itself.
 */
export async function pipeChunks(
  stream: ReadableStream<UIMessageChunk>,
  write: (chunk: UIMessageChunk) => void,
  stopSignal: AbortSignal,
): Promise<void> {
  const reader = stream.getReader();
  let isCancelled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onStop = () => {
    timer = setTimeout(() => {
      isCancelled = true;
      reader.cancel('stopped').catch(() => {
        // The stream already errored; its end is handled by the read loop.
      });
    }, STOP_GRACE_MS);
  };
  if (stopSignal.aborted) onStop();
  else stopSignal.addEventListener('abort', onStop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      write(value);
    }
  } finally {
    clearTimeout(timer);
    stopSignal.removeEventListener('abort', onStop);
    reader.releaseLock();
  }
  if (isCancelled) write({ type: 'abort', reason: 'stopped' });
}

/**
 * Rebuilds the assistant message a turn produced from its chunks (the AI SDK's own reducer, so
 * the result equals what a client built), whether the turn completed, stopped or failed.
 * `continued` is the assistant message the turn continues, if any.
 */
export async function buildResponseMessage(
  chunks: readonly UIMessageChunk[],
  continued: UIMessage | undefined,
): Promise<UIMessage | undefined> {
  if (!chunks.some((chunk) => chunk.type === 'start')) return undefined;
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let message: UIMessage | undefined;
  for await (const snapshot of readUIMessageStream({
    stream,
    ...(continued ? { message: structuredClone(continued) } : {}),
    terminateOnError: false,
    onError: () => {
      // An `error` chunk is part of the turn's outcome, reported by the turn status.
    },
  })) {
    message = snapshot;
  }
  return message;
}

/**
 * Orders a turn's response chunks after its `start` chunk, which opens the assistant message: the
 * AI SDK's reducer (the client's and the runtime's alike) starts the message afresh at `start`, so
 * a `data-*` part that `chat.response.write` or a hook's writer wrote before `run`'s stream began
 * would vanish from the answer. Chunks before the `start` are held and follow it; a turn whose
 * answer never starts gets its own `start` when `end` finds held chunks.
 */
export function orderAfterStart(
  emit: (chunk: UIMessageChunk) => void,
  options: { hasStarted: boolean; generateMessageId: () => string },
): { write: (chunk: UIMessageChunk) => void; end: () => void } {
  let hasStarted = options.hasStarted;
  let held: UIMessageChunk[] = [];
  const release = () => {
    const chunks = held;
    held = [];
    for (const chunk of chunks) emit(chunk);
  };
  return {
    write(chunk) {
      if (hasStarted) {
        emit(chunk);
      } else if (chunk.type === 'start') {
        hasStarted = true;
        emit(chunk);
        release();
      } else {
        held.push(chunk);
      }
    },
    end() {
      if (held.length === 0) return;
      // Only what the answer keeps needs a message; an error alone needs none.
      if (!hasStarted && held.some((chunk) => chunk.type.startsWith('data-'))) {
        hasStarted = true;
        emit({ type: 'start', messageId: options.generateMessageId() });
      }
      release();
    },
  };
}
