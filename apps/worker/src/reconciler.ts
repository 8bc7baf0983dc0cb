import { CUSTODY_SHARDS } from '@baton/redis';
import type { Logger } from '@baton/sdk';
import type { RedisSessionStore, RunQueue } from '@baton/session-store';

/** Chats read per page of a custody shard. */
const PAGE_SIZE = 200;
/**
 * An idle chat whose latest mark has no landed append after this long lost that append (the
 * gateway died before sending it, or it failed): its client retries, which marks the chat again.
 */
const UNLANDED_MARK_MS = 60_000;

export type ReconcileReport = {
  /** Chats put back in the queue: queued with no job, or running with no live holder. */
  repaired: number;
  /** Idle chats dropped from the custody index. */
  released: number;
};

/**
 * Every chat whose status says the pool has it (`queued`, `running`) is in the custody index, from
 * the first message a gateway appends until a reconciler sees it idle again
 * (docs/architecture.md, "Custody"). Now and then each worker takes some of the index's shards and
 * looks at every chat marked longer than a grace ago:
 * - `queued` with no pending job (a gateway died between append and enqueue, a hand-back whose
 *   enqueue failed, a job that failed or completed early), or
 * - `running` whose holder's lease ran out more than a grace ago while nothing took the chat over
 *   (its job failed or completed after a cancel, or BullMQ gave it up)
 * goes back to the queue under a new run sequence, whatever the path that left it there. Chats
 * seen idle leave the index once their last append has landed. The repair is one script that
 * checks the chat is still as seen, so reconcilers racing each other or a worker do no harm.
 */
export class Reconciler {
  readonly #store: RedisSessionStore;
  readonly #runQueue: RunQueue;
  readonly #workerId: string;
  readonly #intervalMs: number;
  readonly #graceMs: number;
  readonly #logger: Logger;
  #timer: ReturnType<typeof setInterval> | undefined;
  #isRunning = false;

  constructor(options: {
    store: RedisSessionStore;
    runQueue: RunQueue;
    workerId: string;
    /** How often to look. */
    intervalMs: number;
    /**
     * How long a chat may look unattended before it is repaired: its job may be on its way, or
     * BullMQ's stalled check (lease + stalled interval) about to hand a dead holder's job over.
     */
    graceMs: number;
    logger: Logger;
  }) {
    this.#store = options.store;
    this.#runQueue = options.runQueue;
    this.#workerId = options.workerId;
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

  /**
   * One pass over the shards no other worker took this round. With `allShards`, every shard,
   * lock or not (a test's or an operator's explicit pass).
   */
  async reconcile(options: { allShards?: boolean } = {}): Promise<ReconcileReport> {
    const report: ReconcileReport = { repaired: 0, released: 0 };
    if (this.#isRunning) return report;
    this.#isRunning = true;
    try {
      for (let shard = 0; shard < CUSTODY_SHARDS; shard += 1) {
        const isMine =
          options.allShards === true ||
          (await this.#store.custody.lockShard(shard, this.#workerId, this.#intervalMs));
        if (isMine) await this.#reconcileShard(shard, report);
      }
      return report;
    } finally {
      this.#isRunning = false;
    }
  }

  async #reconcileShard(shard: number, report: ReconcileReport): Promise<void> {
    const now = Date.now();
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const entries = await this.#store.custody.list(shard, now - this.#graceMs, {
        offset,
        limit: PAGE_SIZE,
      });
      const outcomes = await Promise.all(entries.map((entry) => this.#examine(entry, now)));
      for (const outcome of outcomes) {
        if (outcome === 'repaired') report.repaired += 1;
        else if (outcome === 'released') report.released += 1;
      }
      if (entries.length < PAGE_SIZE) return;
    }
  }

  async #examine(
    entry: { chatId: string; markedAt: number },
    now: number,
  ): Promise<'repaired' | 'released' | 'kept'> {
    const { chatId, markedAt } = entry;
    const view = await this.#store.custody.inspect(chatId);
    if (!view) return this.#release(chatId, markedAt);
    switch (view.status) {
      case 'new':
      case 'suspended':
      case 'closed': {
        // Only once the append that went with the latest mark has landed: until then the chat may
        // be about to leave idle, and its mark is the only trace of it.
        const hasLanded = view.appendedMarkAt >= markedAt;
        if (hasLanded || markedAt < now - UNLANDED_MARK_MS) return this.#release(chatId, markedAt);
        return 'kept';
      }
      case 'queued': {
        const run = { chatId, runSeq: view.runSeq };
        if (await this.#runQueue.isPending(view.agentId, run)) return 'kept';
        return this.#repair(chatId, view.agentId, { status: 'queued', runSeq: view.runSeq });
      }
      case 'running': {
        if (view.hasLiveLease || view.leaseExpiresAt + this.#graceMs > now) return 'kept';
        return this.#repair(chatId, view.agentId, { status: 'running', runSeq: view.runSeq });
      }
    }
  }

  async #release(chatId: string, markedAt: number): Promise<'released' | 'kept'> {
    return (await this.#store.custody.release({ chatId, markedAt })) ? 'released' : 'kept';
  }

  async #repair(
    chatId: string,
    agentId: string,
    seen: { status: 'queued' | 'running'; runSeq: number },
  ): Promise<'repaired' | 'kept'> {
    const runSeq = await this.#store.custody.requeue(chatId, seen, this.#graceMs);
    if (runSeq === undefined) return 'kept';
    await this.#runQueue.enqueue(agentId, { chatId, runSeq });
    this.#logger.warn(
      { chatId, seenStatus: seen.status, seenRunSeq: seen.runSeq, runSeq },
      seen.status === 'queued'
        ? 'queued chat had no job; requeued'
        : 'running chat had no live holder; requeued',
    );
    return 'repaired';
  }
}
