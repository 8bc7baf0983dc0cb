import { Redis, type RedisOptions } from 'ioredis';

export type RedisClientOptions = {
  /** `redis://host:port/db`. */
  url: string;
  /** A name shown by `CLIENT LIST`, e.g. `baton-gateway`. */
  name?: string;
  /**
   * `null` retries a command until the connection is back (what BullMQ requires for its own
   * connections); a number fails a command after that many reconnect attempts.
   * @default 20
   */
  maxRetriesPerRequest?: number | null;
  /** Resolve only after the connection is ready (fails fast on a wrong URL). */
  lazyConnect?: boolean;
};

/**
 * Every Redis client of Baton comes from here, so that connection policy lives in one place.
 * ioredis 6 speaks RESP3 and keeps RESP2-shaped replies (`replyMapping: 'legacy'`), which the
 * stream parsers of the session store rely on.
 */
export function createRedisClient(options: RedisClientOptions): Redis {
  const redisOptions: RedisOptions = {
    maxRetriesPerRequest:
      options.maxRetriesPerRequest === undefined ? 20 : options.maxRetriesPerRequest,
    enableAutoPipelining: true,
    lazyConnect: options.lazyConnect ?? false,
    ...(options.name ? { connectionName: options.name } : {}),
  };
  return new Redis(options.url, redisOptions);
}
