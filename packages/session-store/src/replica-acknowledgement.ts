import { ReplicationTimeoutError } from '@baton/protocol';
import type { Redis } from 'ioredis';

export type ReplicaAcknowledgementOptions = {
  /** The connection whose writes are confirmed: `WAIT` covers the writes of its own connection. */
  redis: Redis;
  /** Replicas that must hold a write before it is acknowledged; at least 1. */
  minReplicas: number;
  /** How long one `WAIT` waits for them. */
  timeoutMs: number;
};

type Waiter = {
  /** The socket the write was sent on: the WAIT must run on the same one. */
  socket: unknown;
  resolve: (acknowledgedReplicas: number) => void;
  reject: (error: unknown) => void;
};

/**
 * Confirms that writes already made on a connection reached `minReplicas` replicas, with Redis
 * `WAIT`, which covers every write its connection made before it. So:
 *
 * - Callers that are due together share one `WAIT`, and at most one is in flight. A `WAIT` blocks
 *   its connection until the replicas answer or the timeout passes, and holds up every command
 *   queued behind it (lease renewals, chunk writes, reads): one at a time bounds that stall to one
 *   timeout, where a `WAIT` per caller would stack a timeout each while a replica is down.
 * - A `WAIT` that ran on another connection than the write proves nothing: that connection's own
 *   last write is older, and its `WAIT` may return at once with every replica. After a reconnect
 *   ioredis re-sends the commands that got no reply on its new connection, the write or the
 *   `WAIT`, and the reconnect of a failover is exactly when the write may be lost (a `WAIT`
 *   re-sent to the promoted replica answered 1 for a lost append: failover.int.test.ts); a
 *   re-sent write finds itself done (idempotent) and writes nothing on the new connection. So a
 *   write counts as confirmed only when it was sent, and its `WAIT` sent and answered, on one
 *   socket; otherwise no replica is counted and the caller retries.
 */
export class ReplicaAcknowledgement {
  readonly minReplicas: number;
  readonly timeoutMs: number;
  readonly #redis: Redis;
  #waiters: Waiter[] = [];
  #isWaiting = false;
  #isScheduled = false;

  constructor(options: ReplicaAcknowledgementOptions) {
    if (!Number.isInteger(options.minReplicas) || options.minReplicas < 1) {
      throw new Error(`minReplicas must be a positive integer, got ${options.minReplicas}`);
    }
    this.#redis = options.redis;
    this.minReplicas = options.minReplicas;
    this.timeoutMs = options.timeoutMs;
  }

  /** The connection's socket now: take it before sending a write that `confirm` will cover. */
  socket(): unknown {
    return this.#redis.stream;
  }

  /**
   * Resolves once `minReplicas` replicas hold every write this connection made before the call;
   * throws `ReplicationTimeoutError` when fewer did within the timeout. Call it once the write's
   * reply is in, never before; `sentOn` is `socket()` from before the write was sent.
   */
  async confirm(operation: string, chatId: string, sentOn: unknown): Promise<void> {
    const acknowledgedReplicas = await this.countReplicas(sentOn);
    if (acknowledgedReplicas < this.minReplicas) {
      throw new ReplicationTimeoutError({
        operation,
        chatId,
        requiredReplicas: this.minReplicas,
        acknowledgedReplicas,
        timeoutMs: this.timeoutMs,
      });
    }
  }

  /**
   * How many replicas hold every write this connection made before the call, waiting up to the
   * timeout for `minReplicas` of them; 0 when the write and the `WAIT` did not share a socket.
   */
  countReplicas(sentOn: unknown): Promise<number> {
    // Nothing was connected when the write was issued: it went out on the first connection.
    const socket = sentOn ?? this.#redis.stream;
    return new Promise<number>((resolve, reject) => {
      this.#waiters.push({ socket, resolve, reject });
      this.#schedule();
    });
  }

  /**
   * Sends the next `WAIT` once the callers whose replies came in the same read have joined (they
   * resume in the microtasks after it), unless one is in flight: then its reply sends the next.
   */
  #schedule(): void {
    if (this.#isWaiting || this.#isScheduled) return;
    this.#isScheduled = true;
    setImmediate(() => {
      this.#isScheduled = false;
      void this.#sendWait();
    });
  }

  async #sendWait(): Promise<void> {
    if (this.#isWaiting || this.#waiters.length === 0) return;
    this.#isWaiting = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    const socket = this.#redis.stream;
    try {
      const acknowledgedReplicas = await this.#redis.wait(this.minReplicas, this.timeoutMs);
      const isSameConnection = this.#redis.stream === socket;
      for (const waiter of waiters) {
        waiter.resolve(isSameConnection && waiter.socket === socket ? acknowledgedReplicas : 0);
      }
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    } finally {
      this.#isWaiting = false;
      if (this.#waiters.length > 0) this.#schedule();
    }
  }
}

/**
 * A claim that the primary applied but not enough replicas got in time. The claimer holds the
 * lease on the primary under `claimedEpoch`, and must not write under it (a failover now would
 * bring the previous holder's epoch back): it hands the chat back under that epoch instead.
 */
export class ClaimNotReplicatedError extends ReplicationTimeoutError {
  readonly claimedEpoch: number;
  /** The claim's count of runs that took on the pending work (see `claim`). */
  readonly attempts: number;

  constructor(
    input: Omit<ConstructorParameters<typeof ReplicationTimeoutError>[0], 'operation'> & {
      claimedEpoch: number;
      attempts: number;
    },
  ) {
    super({ ...input, operation: 'claim' });
    this.name = 'ClaimNotReplicatedError';
    this.claimedEpoch = input.claimedEpoch;
    this.attempts = input.attempts;
  }
}
