import type { WorkerRegistration } from '@baton/protocol';
import type { Logger } from '@baton/sdk';
import type { WorkerRegistry } from '@baton/session-store';

/** How long a registration outlives its last refresh: a dead worker drops out of the list. */
const REGISTRATION_TTL_MS = 15_000;
const REFRESH_INTERVAL_MS = 5_000;

/**
 * Announces the agents this worker hosts (`GET /v1/agents` lists what live workers announce) in
 * the worker registry, refreshed periodically while the worker runs and removed when it stops.
 */
export class AgentRegistration {
  readonly #registry: WorkerRegistry;
  readonly #registration: WorkerRegistration;
  readonly #logger: Logger;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: {
    registry: WorkerRegistry;
    registration: WorkerRegistration;
    logger: Logger;
  }) {
    this.#registry = options.registry;
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
    await this.#registry.unregister(this.#registration.workerId);
  }

  async #refresh(): Promise<void> {
    await this.#registry.register(this.#registration, REGISTRATION_TTL_MS);
  }
}
