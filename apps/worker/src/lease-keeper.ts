import { performance } from 'node:perf_hooks';
import type { Logger } from '@baton/sdk';
import type { RedisSessionStore } from '@baton/session-store';

type HeldLease = {
  epoch: number;
  /** `performance.now()` past which the lease may have run out in Redis. */
  deadline: number;
  onLost: (reason: string) => void;
};

/**
 * Share of the lease duration by which a lease is given up before it can run out in Redis: 10 %,
 * 200 ms at the default 2 s lease. The deadline itself is exact (Redis sets the renewed lease's
 * expiry when it runs the renewal, never before the worker sent it), but the timer that acts on
 * it fires late by however long the event loop is busy (GC pauses, synchronous agent code, a
 * loaded host), and the abort then needs a moment to reach the model call and the tools. The
 * margin absorbs that, so the local work stops before another worker can claim the chat.
 */
const SAFETY_MARGIN_RATIO = 0.1;

/**
 * Renews the leases of every chat this worker holds, in one round trip per interval, whatever the
 * number of chats. A lease is lost when it was taken over, or at its local deadline: when the
 * last renewal that succeeded was sent, plus the lease duration, minus a safety margin. Past that
 * moment the lease may have expired in Redis and another worker may hold the chat, so the holder
 * must stop working and writing. The deadline is enforced by a timer of its own, never by a
 * renewal's outcome: a renewal stuck on a half-open connection says nothing for minutes.
 */
export class LeaseKeeper {
  readonly #store: RedisSessionStore;
  readonly #workerId: string;
  readonly #leaseDurationMs: number;
  readonly #safetyMarginMs: number;
  readonly #logger: Logger;
  readonly #leases = new Map<string, HeldLease>();
  #renewTimer: ReturnType<typeof setInterval> | undefined;
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  /** The deadline `#deadlineTimer` fires at; never later than the earliest held deadline. */
  #armedDeadline = Number.POSITIVE_INFINITY;
  #isRenewing = false;

  constructor(options: {
    store: RedisSessionStore;
    workerId: string;
    leaseDurationMs: number;
    logger: Logger;
  }) {
    this.#store = options.store;
    this.#workerId = options.workerId;
    this.#leaseDurationMs = options.leaseDurationMs;
    this.#safetyMarginMs = Math.round(options.leaseDurationMs * SAFETY_MARGIN_RATIO);
    this.#logger = options.logger;
  }

  start(): void {
    // A third of the lease: two renewals may fail before the lease runs out.
    this.#renewTimer = setInterval(() => this.#tick(), Math.floor(this.#leaseDurationMs / 3));
  }

  stop(): void {
    clearInterval(this.#renewTimer);
    clearTimeout(this.#deadlineTimer);
    this.#armedDeadline = Number.POSITIVE_INFINITY;
  }

  /**
   * Holds a claimed lease until `release`, calling `onLost` once if it is lost first.
   * `acquiredAt` is the `performance.now()` at which the claim was sent, if the caller knows it;
   * by default now, which is later and so gives a deadline later than the lease's expiry in Redis
   * by as long as the claim's reply and the work since took.
   */
  hold(
    chatId: string,
    epoch: number,
    onLost: (reason: string) => void,
    acquiredAt: number = performance.now(),
  ): void {
    const deadline = this.#deadlineAfter(acquiredAt);
    this.#leases.set(chatId, { epoch, deadline, onLost });
    if (deadline < this.#armedDeadline) this.#armDeadlineTimer();
  }

  release(chatId: string): void {
    this.#leases.delete(chatId);
  }

  get size(): number {
    return this.#leases.size;
  }

  #tick(): void {
    // Deadlines are checked whether or not the last renewal returned: that one may never return.
    this.#loseOverdue();
    if (!this.#isRenewing && this.#leases.size > 0) void this.#renew();
  }

  async #renew(): Promise<void> {
    this.#isRenewing = true;
    const sentAt = performance.now();
    const held = [...this.#leases].map(([chatId, lease]) => ({ chatId, epoch: lease.epoch }));
    try {
      const lost = new Set(
        await this.#store.renewLeases(held, this.#workerId, this.#leaseDurationMs),
      );
      for (const { chatId, epoch } of held) {
        const lease = this.#leases.get(chatId);
        if (!lease || lease.epoch !== epoch) continue;
        if (lost.has(chatId)) this.#lose(chatId, lease, 'lease taken over');
        else lease.deadline = Math.max(lease.deadline, this.#deadlineAfter(sentAt));
      }
    } catch (error) {
      // The deadline timer decides when this costs the leases; a failed renewal alone does not.
      this.#logger.warn({ err: error }, 'lease renewal failed');
    } finally {
      this.#isRenewing = false;
    }
    // A reply that took most of the lease to come may prove too little: the lease is lost now.
    this.#loseOverdue();
  }

  #deadlineAfter(sentAt: number): number {
    return sentAt + this.#leaseDurationMs - this.#safetyMarginMs;
  }

  /** Loses every lease past its deadline, then arms the timer for the next deadline. */
  #loseOverdue(): void {
    const now = performance.now();
    for (const [chatId, lease] of this.#leases) {
      if (lease.deadline <= now) this.#lose(chatId, lease, 'lease deadline passed unrenewed');
    }
    this.#armDeadlineTimer();
  }

  /**
   * One timer for every lease, at the earliest deadline. Renewals only move deadlines later, so a
   * timer that fires early just finds nothing overdue and re-arms: one scan per renewal period.
   */
  #armDeadlineTimer(): void {
    clearTimeout(this.#deadlineTimer);
    let earliest = Number.POSITIVE_INFINITY;
    for (const lease of this.#leases.values()) earliest = Math.min(earliest, lease.deadline);
    this.#armedDeadline = earliest;
    if (earliest === Number.POSITIVE_INFINITY) return;
    this.#deadlineTimer = setTimeout(
      () => this.#loseOverdue(),
      Math.max(0, earliest - performance.now()),
    );
  }

  #lose(chatId: string, lease: HeldLease, reason: string): void {
    this.#leases.delete(chatId);
    this.#logger.warn({ chatId, epoch: lease.epoch, reason }, 'lease lost');
    lease.onLost(reason);
  }
}
