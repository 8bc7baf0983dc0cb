import type { UIMessageChunk } from 'ai';
import { currentChatRun } from '../chat-context.ts';
import { type ChatStreamWriter, stream } from '../chat-response.ts';
import { chatMessages } from './chat-messages.ts';

/** What `pipe` and `writer` of a session's `out` return: resolves once everything is written. */
export type SessionWriteResult = { waitUntilComplete(): Promise<void> };

/**
 * The run's session (Trigger.dev's `SessionHandle`, as `chat.session()` returns it), with the
 * members a Baton chat can honestly back. A Baton chat is the session: `id` is the chat id.
 * Absent, and why: `in.send` (clients append through the gateway), `in.lastDispatchedSeqNum`
 * and `out.trimTo` (the runtime keeps the cursors and trims the output after each turn),
 * `out.read` (clients read the output through the gateway; the SDK never reads Redis),
 * `out.writeControl` (control records frame turns and are the runtime's) and `channel()` (no side
 * channels yet). See docs/agents/custom-agents.md.
 */
export type SessionHandle = {
  /** The chat id: a Baton chat is its own session. */
  readonly id: string;
  /** The chat's incoming messages: the `chat.messages` mailbox. */
  readonly in: typeof chatMessages;
  /**
   * The open turn's raw output, as `chat.stream`: the client sees what is written, the history
   * does not keep it. Throws between turns (a Baton output is framed by turns).
   */
  readonly out: {
    /** Writes one chunk. */
    append(chunk: UIMessageChunk): Promise<void>;
    /** Pipes a chunk stream (or async iterable). */
    pipe(
      source: ReadableStream<UIMessageChunk> | AsyncIterable<UIMessageChunk>,
    ): SessionWriteResult;
    /** Writes chunks through `execute`, as `chat.stream.writer`. */
    writer(options: {
      execute: (writer: ChatStreamWriter) => void | Promise<void>;
    }): SessionWriteResult;
  };
};

/**
 * `chat.session()` (Trigger.dev 4.5.16): the handle of the run's session, for a custom agent's
 * code that works on the session rather than on `chat.*` (a library written against
 * `SessionHandle`). Custom agents only: `chat.agent` owns its session's input.
 *
 * @example
 * ```ts
 * const session = chat.session();
 * await session.out.append({ type: 'data-status', data: 'thinking', transient: true });
 * if (await session.in.hasPending()) return;
 * ```
 */
export function session(): SessionHandle {
  const run = currentChatRun('chat.session');
  return {
    id: run.chatId,
    in: chatMessages,
    out: {
      async append(chunk) {
        await stream.writer({ execute: ({ write }) => write(chunk) }).waitUntilComplete();
      },
      pipe(source) {
        return settled(stream.pipe(source));
      },
      writer(options) {
        return settled(stream.writer(options).waitUntilComplete());
      },
    },
  };
}

/** A write's completion; its failure is the caller's once asked, never an unhandled rejection. */
function settled(done: Promise<void>): SessionWriteResult {
  done.catch(() => undefined);
  return { waitUntilComplete: () => done };
}
