import type { Logger } from '@baton/sdk';
import type { Redis } from 'ioredis';

export type WorkerRegistration = {
  workerId: string;
  agents: { id: string; version: string }[];
  startedAt: number;
};

/** How long a registration outlives its last refresh: a dead worker drops out of the list. */
const REGISTRATION_TTL_MS = 15_000;
const REFRESH_INTERVAL_MS = 5_000;

/**
 * Announces the agents this worker hosts (`GET /v1/agents` lists what live workers announce): a
 * key with a TTL per worker plus a sorted set of worker ids by expiry, refreshed periodically.
 */
export class AgentRegistration {
  readonly #redis: Redis;
  readonly #workerKey: string;
  readonly #workersKey: string;
  readonly #registration: WorkerRegistration;
  readonly #logger: Logger;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: {
    redis: Redis;
    workerKey: string;
    workersKey: string;
    registration: WorkerRegistration;
    logger: Logger;
  }) {
    this.#redis = options.redis;
    this.#workerKey = options.workerKey;
    this.#workersKey = options.workersKey;
    this.#registration = options.registration;
    this.#logger = options.logger;
  }

  async start(): Promise<void> {
    await this.#refresh();
    this.#timer = setInterval(() => {
      this.#refresh().catch((error: unknown) => {
        this.#logger.warn({ err: error }, 'agent registration refresh failed');
      });
    }, REFRESH_INTERVAL_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#redis
      .multi()
      .del(this.#workerKey)
      .zrem(this.#workersKey, this.#registration.workerId)
      .exec();
  }

  async #refresh(): Promise<void> {
    const expiresAt = Date.now() + REGISTRATION_TTL_MS;
    await this.#redis
      .multi()
      .set(this.#workerKey, JSON.stringify(this.#registration), 'PX', REGISTRATION_TTL_MS)
      .zadd(this.#workersKey, expiresAt, this.#registration.workerId)
      .zremrangebyscore(this.#workersKey, '-inf', Date.now())
      .exec();
  }
}
