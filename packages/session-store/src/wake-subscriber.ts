import type { Redis } from 'ioredis';

type WakeListener = () => void;

/**
 * One pub/sub connection that carries the wake-ups of every chat a process watches
 * (docs/architecture.md, "Warm wait and suspend": waiting must not cost a Redis connection per
 * chat). A wake-up only says "read the stream again"; the stream is the truth, so a lost message
 * costs latency, never data: after a reconnect every listener is woken once, and followers poll as
 * a safety net.
 */
export class WakeSubscriber {
  readonly #redis: Redis;
  readonly #listeners = new Map<string, Set<WakeListener>>();
  readonly #subscribing = new Map<string, Promise<unknown>>();

  /** `redis` becomes a subscriber connection; give it one of its own. */
  constructor(redis: Redis) {
    this.#redis = redis;
    redis.on('message', (channel: string) => this.#wake(channel));
    // ioredis re-subscribes by itself after a reconnect; wake everyone for what was missed.
    redis.on('ready', () => {
      for (const channel of this.#listeners.keys()) this.#wake(channel);
    });
  }

  /**
   * Calls `listener` on each wake-up of `channel`. Resolves once the subscription is active, so a
   * read made after it cannot miss a wake-up; resolves the function that stops watching.
   */
  async watch(channel: string, listener: WakeListener): Promise<() => void> {
    let listeners = this.#listeners.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
      this.#subscribing.set(channel, this.#redis.subscribe(channel));
    }
    listeners.add(listener);
    await this.#subscribing.get(channel);
    return () => this.#unwatch(channel, listener);
  }

  close(): void {
    this.#listeners.clear();
    this.#redis.disconnect();
  }

  #unwatch(channel: string, listener: WakeListener): void {
    const listeners = this.#listeners.get(channel);
    if (!listeners?.delete(listener) || listeners.size > 0) return;
    this.#listeners.delete(channel);
    this.#subscribing.delete(channel);
    this.#redis.unsubscribe(channel).catch(() => {
      // The connection is closing or reconnecting; a stale subscription only costs wake-ups.
    });
  }

  #wake(channel: string): void {
    const listeners = this.#listeners.get(channel);
    if (!listeners) return;
    for (const listener of listeners) listener();
  }
}
