import type { RedisSessionStore, WriteFence } from '@baton/session-store';
import type { UIMessageChunk } from 'ai';

/** Bounds one Lua call's argument list; a burst larger than this takes several round trips. */
const MAX_BATCH_SIZE = 256;

/**
 * Writes a turn's chunks to the output stream in batches: the first chunk goes out at once (time
 * to first chunk), and every chunk produced while a write is in flight joins the next write. So a
 * slow model costs one round trip per chunk, a fast one far fewer than one per chunk, and order is
 * kept because at most one write is in flight.
 */
export class OutputBatcher {
  readonly #store: RedisSessionStore;
  readonly #fence: WriteFence;
  readonly #onError: (error: unknown) => void;
  #pending: string[] = [];
  #flushing: Promise<void> | undefined;
  #error: Error | undefined;
  #writeCount = 0;
  #chunkCount = 0;

  constructor(options: {
    store: RedisSessionStore;
    fence: WriteFence;
    onError: (error: unknown) => void;
  }) {
    this.#store = options.store;
    this.#fence = options.fence;
    this.#onError = options.onError;
  }

  write(chunk: UIMessageChunk): void {
    if (this.#error !== undefined) return;
    this.#pending.push(JSON.stringify(chunk));
    this.#flushing ??= this.#drain();
  }

  /** Resolves when every written chunk is in Redis; rejects if a write failed. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#error !== undefined) throw this.#error;
  }

  /** Round trips and chunks written so far (the batching ratio). */
  get stats(): { writes: number; chunks: number } {
    return { writes: this.#writeCount, chunks: this.#chunkCount };
  }

  async #drain(): Promise<void> {
    // Let the chunks produced in the same tick join the first write.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, MAX_BATCH_SIZE);
        await this.#store.appendChunks(this.#fence, batch);
        this.#writeCount += 1;
        this.#chunkCount += batch.length;
      }
    } catch (error) {
      this.#error = error instanceof Error ? error : new Error(String(error));
      this.#pending = [];
      this.#onError(error);
    } finally {
      this.#flushing = undefined;
    }
  }
}
