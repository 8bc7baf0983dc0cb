import type { Redis } from 'ioredis';

/** Settings of a `RedisSessionStore`; the gateway and the worker read them from their env. */
export type RedisSessionStoreOptions = {
  /** A command connection (never one used for blocking reads or pub/sub). */
  redis: Redis;
  /** Key prefix; every key still carries the chat's hash tag. @default 'baton' */
  prefix?: string;
  /**
   * Safety bound of an output stream: past this length the records before the turn in flight
   * are trimmed, never the turn itself. Completed turns trim it far below. @default 100_000
   */
  outputMaxLength?: number;
  /** How long an append's part id stays claimed against retries. @default 24 h */
  partClaimTtlMs?: number;
  /**
   * How long an idle chat's keys live (a chat created and never used, or suspended and never
   * resumed); a message before then keeps them. 0 keeps them forever. @default 30 days
   */
  idleRetentionMs?: number;
  /** How long a closed chat's keys live; 0 keeps them forever. @default 7 days */
  closedRetentionMs?: number;
  /**
   * Replicas that must hold a write before the store acknowledges it, checked with Redis `WAIT`
   * on `redis` right after the write: a claim (its epoch bump fences the previous holder), a turn
   * completion, a message append and a close, the writes that a failover must not undo. Fewer in
   * time: the call throws a retryable `REPLICATION_TIMEOUT` (`ReplicationTimeoutError`;
   * `ClaimNotReplicatedError` for a claim). 0 acknowledges what the primary holds, which a
   * failover to a replica that lagged loses (docs/operations/redis-persistence.md). @default 0
   */
  minReplicas?: number;
  /**
   * How long such a write waits for its replicas. A `WAIT` holds up the commands queued behind it
   * on `redis` for as long, so keep it well under the command timeout and the lease. @default 500
   */
  replicaTimeoutMs?: number;
  clock?: () => number;
};
