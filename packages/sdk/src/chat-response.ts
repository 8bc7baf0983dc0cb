import type { UIMessageChunk } from 'ai';
import { currentChatContext, type TurnScope } from './chat-context.ts';
import { pipeChunks } from './turn-output.ts';

function currentTurn(primitive: string): TurnScope {
  const { turn } = currentChatContext(primitive);
  if (!turn) {
    throw new Error(
      `${primitive} needs a turn in progress: call it from a turn hook, run or a tool`,
    );
  }
  return turn;
}

/**
 * `chat.response`: chunks that are part of the turn's answer (Trigger.dev's). A `data-*` chunk
 * written here reaches the client and is persisted in the response message (and in
 * `onTurnComplete`'s `responseMessage`) unless it is `transient: true`.
 */
export const response = {
  write(chunk: UIMessageChunk): void {
    currentTurn('chat.response.write').write(chunk);
  },
} as const;

/** What `chat.stream.writer`'s `execute` gets. */
export type ChatStreamWriter = {
  write(chunk: UIMessageChunk): void;
  merge(stream: ReadableStream<UIMessageChunk>): void;
};

/**
 * `chat.stream`: the raw output of the turn (Trigger.dev's). What is written here reaches the
 * client but is never accumulated into the response message, whatever its `transient` flag:
 * progress, status, anything the persisted history should not keep.
 */
export const stream = {
  /** Writes chunks through `execute`; `waitUntilComplete` resolves once they are all written. */
  writer(options: { execute: (writer: ChatStreamWriter) => void | Promise<void> }): {
    waitUntilComplete: () => Promise<void>;
  } {
    const turn = currentTurn('chat.stream.writer');
    const merges: Promise<void>[] = [];
    const done = (async () => {
      await options.execute({
        write: (chunk) => turn.writeEphemeral(chunk),
        merge: (merged) => {
          merges.push(pipeChunks(merged, (chunk) => turn.writeEphemeral(chunk), turn.stopSignal));
        },
      });
      await Promise.all(merges);
    })();
    return { waitUntilComplete: () => done };
  },
  /** Pipes a chunk stream (or async iterable) to the output, unaccumulated. */
  async pipe(
    source: ReadableStream<UIMessageChunk> | AsyncIterable<UIMessageChunk>,
  ): Promise<void> {
    const turn = currentTurn('chat.stream.pipe');
    const readable =
      source instanceof ReadableStream
        ? source
        : ReadableStream.from(source as AsyncIterable<UIMessageChunk>);
    await pipeChunks(readable, (chunk) => turn.writeEphemeral(chunk), turn.stopSignal);
  },
} as const;

/**
 * `chat.endRun()`: ends this run once the current turn is complete, with no idle wait. The chat
 * stays open: it suspends (after `onChatSuspend`), or goes back to the pool if a message already
 * waits, and the next message is answered by a new run on any worker, after `onChatResume`.
 */
export function endRun(): void {
  currentChatContext('chat.endRun').endRunRequest.isRequested = true;
}
