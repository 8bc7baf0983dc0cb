import type { Logger } from '@baton/sdk';
import type { RedisSessionStore, RunQueue } from '@baton/session-store';

/**
 * DESIGN.md 4.9: a gateway that dies between an append and its enqueue leaves a chat `queued`
 * with no job. Every worker looks now and then at chats marked queued for a while and makes sure
 * each still-queued one has a live job; enqueueing is idempotent on the job id, so workers doing
 * it at once do no harm. Chats no longer queued leave the index.
 */
export class Reconciler {
  readonly #store: RedisSessionStore;
  readonly #runQueue: RunQueue;
  readonly #intervalMs: number;
  readonly #graceMs: number;
  readonly #logger: Logger;
  #timer: ReturnType<typeof setInterval> | undefined;
  #isRunning = false;

  constructor(options: {
    store: RedisSessionStore;
    runQueue: RunQueue;
    /** How often to look. */
    intervalMs: number;
    /** How long a chat may sit queued before it is looked at (its job may be on its way). */
    graceMs: number;
    logger: Logger;
  }) {
    this.#store = options.store;
    this.#runQueue = options.runQueue;
    this.#intervalMs = options.intervalMs;
    this.#graceMs = options.graceMs;
    this.#logger = options.logger;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.reconcile().catch((error: unknown) => {
        this.#logger.warn({ err: error }, 'reconciliation failed');
      });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One pass; resolves how many chats got a job back. */
  async reconcile(): Promise<number> {
    if (this.#isRunning) return 0;
    this.#isRunning = true;
    try {
      const chatIds = await this.#store.listQueued(Date.now() - this.#graceMs, 500);
      const settled: string[] = [];
      let repaired = 0;
      for (const chatId of chatIds) {
        const session = await this.#store.getSession(chatId);
        if (session?.status !== 'queued') {
          settled.push(chatId);
          continue;
        }
        const outcome = await this.#runQueue.ensure(session.agentId, {
          chatId,
          runSeq: session.runSeq,
        });
        if (outcome === 'added') {
          repaired += 1;
          this.#logger.warn({ chatId, runSeq: session.runSeq }, 'queued chat had no job; enqueued');
        }
      }
      await this.#store.unmarkQueued(settled);
      return repaired;
    } finally {
      this.#isRunning = false;
    }
  }
}
