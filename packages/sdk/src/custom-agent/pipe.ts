import type { FinishReason, UIMessage, UIMessageChunk } from 'ai';
import { currentChatRun } from '../chat-context.ts';
import { settle } from '../settle.ts';
import { toChunkStream } from '../to-chunk-stream.ts';
import { pipeChunks } from '../turn-output.ts';
import type { ChatRun } from './chat-run.ts';

/** A `streamText` result, or a stream of UI message chunks. */
export type PipeSource =
  | ReadableStream<UIMessageChunk>
  | {
      stream: ReadableStream<unknown>;
      finishReason?: PromiseLike<FinishReason>;
    };

export type PipeAndCaptureOptions = {
  /** The turn's abort signal (stop and cancel): an aborted capture reports `aborted`. */
  signal?: AbortSignal;
  /** The history the response continues (`toUIMessageStream`'s `originalMessages`). */
  originalMessages?: UIMessage[];
  /** Trigger.dev's tracing span name; accepted for porting. */
  spanName?: string;
};

export type CapturedResponse = {
  /** The response as the turn's chunks build it; undefined when nothing was written. */
  message: UIMessage | undefined;
  status: 'complete' | 'aborted' | 'error';
  finishReason: FinishReason | undefined;
  error: unknown;
};

/**
 * Pipes a response into the open turn and captures it (Trigger.dev's `chat.pipeAndCapture`).
 * Never throws: a stop resolves `aborted` with the partial message, a failure `error` with the
 * error (an `error` chunk is written for the client). The message is rebuilt from the chunks, so
 * a response that never finishes still yields its partial.
 */
export async function pipeAndCapture(
  source: PipeSource,
  options: PipeAndCaptureOptions = {},
): Promise<CapturedResponse> {
  const run = currentChatRun('chat.pipeAndCapture');
  let error: unknown;
  try {
    await pipeInto(run, source, options.originalMessages);
  } catch (caught) {
    error = caught;
    run.failTurn(caught);
  }
  const message = await run.responseMessage();
  const finishReason = 'stream' in source ? await settle(source.finishReason) : undefined;
  const isAborted = options.signal?.aborted === true || run.stopSignal?.aborted === true;
  const status = error !== undefined ? 'error' : isAborted ? 'aborted' : 'complete';
  return { message, status, finishReason, error };
}

/** Pipes a response into the open turn, without capturing it (Trigger.dev's `chat.pipe`). */
export async function pipe(source: PipeSource): Promise<void> {
  const run = currentChatRun('chat.pipe');
  await pipeInto(run, source, undefined);
}

/**
 * Checkpoints the open turn and writes its `turn-complete` (Trigger.dev's
 * `chat.writeTurnComplete`). Resolves the input id the turn answered; Baton's clients resume by
 * the output's own ids, so there is no separate cursor to hand back.
 */
export async function writeTurnComplete(): Promise<{ lastEventId: undefined }> {
  const run = currentChatRun('chat.writeTurnComplete');
  await run.completeTurn();
  return { lastEventId: undefined };
}

async function pipeInto(
  run: ChatRun,
  source: PipeSource,
  originalMessages: UIMessage[] | undefined,
): Promise<void> {
  // Server error text never reaches a client (docs/decisions/2026-11-22-safe-error-text.md).
  const stream = toChunkStream(source, originalMessages ?? run.currentHistory(), {});
  if (!stream) return;
  const stopSignal = run.stopSignal ?? new AbortController().signal;
  await pipeChunks(stream, (chunk) => run.write(chunk), stopSignal);
}
