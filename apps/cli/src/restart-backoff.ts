/** Options of {@link RestartBackoff}. */
export type RestartBackoffOptions = {
  /** The pause before the first restart. @default 1 s */
  initialDelayMs?: number;
  /** The longest pause: a process that cannot start is retried this often. @default 30 s */
  maximumDelayMs?: number;
  /** A process that stayed up this long was healthy: its next death starts over. @default 60 s */
  healthyAfterMs?: number;
};

/**
 * The pause before `baton dev` restarts a process that died: 1 s, doubling with each death in a
 * row up to 30 s, and back to 1 s once the process stayed up a minute. A worker killed once comes
 * back at once; one that crashes at start (a broken agent module) retries without flooding the
 * terminal with its stack trace.
 *
 * @example
 * ```ts
 * const delayMs = backoff.nextDelayMs(Date.now() - managed.startedAtMs);
 * ```
 */
export class RestartBackoff {
  readonly #initialDelayMs: number;
  readonly #maximumDelayMs: number;
  readonly #healthyAfterMs: number;
  #deathsInARow = 0;

  constructor(options: RestartBackoffOptions = {}) {
    this.#initialDelayMs = options.initialDelayMs ?? 1_000;
    this.#maximumDelayMs = options.maximumDelayMs ?? 30_000;
    this.#healthyAfterMs = options.healthyAfterMs ?? 60_000;
  }

  /** The pause before the next restart of a process that died after `upTimeMs`. */
  nextDelayMs(upTimeMs: number): number {
    if (upTimeMs >= this.#healthyAfterMs) this.#deathsInARow = 0;
    const delayMs = this.#initialDelayMs * 2 ** this.#deathsInARow;
    this.#deathsInARow += 1;
    return Math.min(delayMs, this.#maximumDelayMs);
  }
}
