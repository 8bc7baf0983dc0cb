import type { Logger } from '@baton/sdk';
import type { RedisSessionStore } from '@baton/session-store';

type HeldLease = { epoch: number; renewedAt: number; onLost: (reason: string) => void };

/**
 * Renews the leases of every chat this worker holds, in one round trip per interval, whatever the
 * number of chats. A lease that was taken over, or that could not be renewed for a whole lease
 * duration (Redis unreachable), is reported lost: its holder must stop writing, because another
 * worker may hold the chat by now.
 */
export class LeaseKeeper {
  readonly #store: RedisSessionStore;
  readonly #workerId: string;
  readonly #leaseDurationMs: number;
  readonly #logger: Logger;
  readonly #leases = new Map<string, HeldLease>();
  #timer: ReturnType<typeof setInterval> | undefined;
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
    this.#logger = options.logger;
  }

  start(): void {
    // A third of the lease: two renewals may fail before the lease runs out.
    this.#timer = setInterval(() => void this.#renew(), Math.floor(this.#leaseDurationMs / 3));
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  hold(chatId: string, epoch: number, onLost: (reason: string) => void): void {
    this.#leases.set(chatId, { epoch, renewedAt: Date.now(), onLost });
  }

  release(chatId: string): void {
    this.#leases.delete(chatId);
  }

  get size(): number {
    return this.#leases.size;
  }

  async #renew(): Promise<void> {
    if (this.#isRenewing || this.#leases.size === 0) return;
    this.#isRenewing = true;
    const startedAt = Date.now();
    const held = [...this.#leases].map(([chatId, lease]) => ({ chatId, epoch: lease.epoch }));
    try {
      const lost = new Set(
        await this.#store.renewLeases(held, this.#workerId, this.#leaseDurationMs),
      );
      for (const { chatId, epoch } of held) {
        const lease = this.#leases.get(chatId);
        if (!lease || lease.epoch !== epoch) continue;
        if (lost.has(chatId)) this.#lose(chatId, lease, 'lease taken over');
        else lease.renewedAt = startedAt;
      }
    } catch (error) {
      this.#logger.warn({ err: error }, 'lease renewal failed');
      for (const [chatId, lease] of this.#leases) {
        if (Date.now() - lease.renewedAt >= this.#leaseDurationMs) {
          this.#lose(chatId, lease, 'lease expired while Redis was unreachable');
        }
      }
    } finally {
      this.#isRenewing = false;
    }
  }

  #lose(chatId: string, lease: HeldLease, reason: string): void {
    this.#leases.delete(chatId);
    this.#logger.warn({ chatId, epoch: lease.epoch, reason }, 'lease lost');
    lease.onLost(reason);
  }
}
