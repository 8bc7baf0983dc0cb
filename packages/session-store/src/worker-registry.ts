import { type WorkerRegistration, workerRegistrationSchema } from '@baton/protocol';
import { DEFAULT_KEY_PREFIX, type GlobalKeys, globalKeys } from '@baton/redis';
import type { ChainableCommander, Redis } from 'ioredis';

export type WorkerRegistryOptions = {
  /** A command connection (never one used for blocking reads or pub/sub). */
  redis: Redis;
  /** Key prefix. @default 'baton' */
  prefix?: string;
  clock?: () => number;
};

/**
 * The live workers and the agents they host, which `GET /v1/agents` lists: one registration per
 * worker (a key with a TTL) plus a sorted set of worker ids by the time their registration expires,
 * so that listing needs no SCAN. Both keys carry the `{global}` hash tag, so one MULTI writes them
 * together on a cluster too.
 *
 * @example
 * ```ts
 * await registry.register({ workerId: 'w1', agents: [{ id: 'demo', version: '1' }], startedAt }, 15_000);
 * const live = await registry.listLive();
 * ```
 */
export class WorkerRegistry {
  readonly #redis: Redis;
  readonly #keys: GlobalKeys;
  readonly #clock: () => number;

  constructor(options: WorkerRegistryOptions) {
    this.#redis = options.redis;
    this.#keys = globalKeys(options.prefix ?? DEFAULT_KEY_PREFIX);
    this.#clock = options.clock ?? Date.now;
  }

  /**
   * Writes (or refreshes) a worker's registration for `ttlMs`: a worker that stops refreshing drops
   * out of the list after that. Also forgets the workers whose registration ran out.
   */
  async register(registration: WorkerRegistration, ttlMs: number): Promise<void> {
    const now = this.#clock();
    await execAll(
      this.#redis
        .multi()
        .set(this.#keys.worker(registration.workerId), JSON.stringify(registration), 'PX', ttlMs)
        .zadd(this.#keys.workers, now + ttlMs, registration.workerId)
        .zremrangebyscore(this.#keys.workers, '-inf', now),
    );
  }

  /** Removes a worker's registration at once (a clean shutdown) rather than when it runs out. */
  async unregister(workerId: string): Promise<void> {
    await execAll(
      this.#redis.multi().del(this.#keys.worker(workerId)).zrem(this.#keys.workers, workerId),
    );
  }

  /** The registrations of the workers alive now; one that cannot be read is left out. */
  async listLive(): Promise<WorkerRegistration[]> {
    const workerIds = await this.#redis.zrangebyscore(this.#keys.workers, this.#clock(), '+inf');
    if (workerIds.length === 0) return [];
    const values = await this.#redis.mget(workerIds.map((workerId) => this.#keys.worker(workerId)));
    return values.flatMap((value) => {
      const registration = value === null ? undefined : parseRegistration(value);
      return registration === undefined ? [] : [registration];
    });
  }
}

function parseRegistration(value: string): WorkerRegistration | undefined {
  try {
    const parsed = workerRegistrationSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Not JSON: a key that something else wrote; it names no agent.
    return undefined;
  }
}

/** Runs a MULTI and throws the first command's error: EXEC reports them per command. */
async function execAll(transaction: ChainableCommander): Promise<void> {
  const results = await transaction.exec();
  const failure = results?.find(([error]) => error !== null);
  if (failure?.[0]) throw failure[0];
}
