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
  /**
   * Fails a command that got no reply within this time ("Command timed out"), where ioredis would
   * otherwise wait as long as the socket stays open: a half-open connection (a partition, a dead
   * NAT entry) hangs a command for minutes. A timeout alone only rejects the command's promise;
   * ioredis leaves the socket as it is, so every later command would time out too, until TCP gives
   * up on the connection (about 15 minutes of retransmissions on Linux; never behind a proxy that
   * still acknowledges). So the same value also drops a connection that stayed silent that long
   * while commands waited for replies (ioredis `socketTimeout`), and ioredis connects anew.
   *
   * Only for connections without blocking commands: a `BZPOPMIN` or `XREAD BLOCK` is silent by
   * design and would time out. Give it to command connections, not to BullMQ's (which duplicates
   * its connection, options included, for `BZPOPMIN`) nor to a subscriber.
   * @default no timeout
   */
  commandTimeoutMs?: number;
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
    ...(options.commandTimeoutMs === undefined
      ? {}
      : { commandTimeout: options.commandTimeoutMs, socketTimeout: options.commandTimeoutMs }),
  };
  return new Redis(options.url, redisOptions);
}
