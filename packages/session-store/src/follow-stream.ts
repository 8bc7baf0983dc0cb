import type { WakeSubscriber } from './wake-subscriber.ts';

export type FollowStreamOptions<Entry extends { id: string }> = {
  subscriber: WakeSubscriber;
  /** The wake channel announcing appends to the stream. */
  channel: string;
  /** Reads at most `pageSize` entries after an id (exclusive). */
  read: (afterId: string) => Promise<Entry[]>;
  /** The most entries `read` returns: a full page means more may be waiting. */
  pageSize: number;
  /** Start after this id (exclusive). */
  afterId: string;
  signal: AbortSignal;
  /** Re-read this often even without a wake-up (a lost pub/sub message costs only this). */
  pollIntervalMs?: number;
  /** Told about each failed read before it is retried. */
  onReadError?: (error: unknown) => void;
};

const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 2_000;

/**
 * Follows a Redis stream live: yields batches of entries after `afterId`, reading again on each
 * wake-up of `channel`. Ends when `signal` aborts. The wake-up watch starts before the first read,
 * so no append between a read and the wait is missed. A failed read (Redis restarting) is retried
 * with backoff rather than ending the follow: a reader that stopped would look, to a client, like
 * a turn that ended.
 */
export async function* followStream<Entry extends { id: string }>(
  options: FollowStreamOptions<Entry>,
): AsyncGenerator<Entry[]> {
  const { signal } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  let isDirty = false;
  let wakeUp: (() => void) | undefined;
  const onWake = () => {
    isDirty = true;
    wakeUp?.();
  };
  const unwatch = await options.subscriber.watch(options.channel, onWake);
  const onAbort = () => wakeUp?.();
  signal.addEventListener('abort', onAbort);
  let cursor = options.afterId;
  try {
    while (!signal.aborted) {
      isDirty = false;
      const entries = await readWithRetry(options, cursor);
      if (entries === undefined) break;
      const last = entries.at(-1);
      if (last) {
        cursor = last.id;
        yield entries;
      }
      // Read again at once only if more may be there: a full page, or a wake-up since the read.
      // Reading after every batch would double the reads of a follower that keeps up.
      if (entries.length >= options.pageSize || isDirty || signal.aborted) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollIntervalMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    unwatch();
  }
}

/** Reads until a read succeeds; undefined once the follow is aborted. */
async function readWithRetry<Entry extends { id: string }>(
  options: FollowStreamOptions<Entry>,
  cursor: string,
): Promise<Entry[] | undefined> {
  let delayMs = FIRST_RETRY_DELAY_MS;
  for (;;) {
    try {
      return await options.read(cursor);
    } catch (error) {
      if (options.signal.aborted) return undefined;
      options.onReadError?.(error);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, MAX_RETRY_DELAY_MS);
      if (options.signal.aborted) return undefined;
    }
  }
}
