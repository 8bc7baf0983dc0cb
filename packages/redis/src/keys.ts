import { crc32 } from 'node:zlib';

/**
 * The one key builder of Baton (STYLE.md: no Redis key string outside this file). Every key of a
 * chat carries the hash tag `{<chatId>}`, so all of a chat's keys live in one Redis Cluster slot and
 * one Lua script may touch them together. Global keys share the tag `{global}`, except the custody
 * index, whose shards carry one tag each so that its writes spread over a cluster's nodes.
 */
export type ChatKeys = {
  /** Stream of input records (messages, stops). */
  input: string;
  /** Stream of output records (UI message chunks and turn control records). */
  output: string;
  /** Hash: the session record. */
  session: string;
  /** List: the accumulated UI messages (the checkpoint), one JSON string per message. */
  messages: string;
  /** String with a TTL: the current holder's lease. */
  lease: string;
  /** Pub/sub channel announcing new input records. */
  inputWake: string;
  /** Pub/sub channel announcing new output records. */
  outputWake: string;
  /** String with a TTL: an idempotency claim of one client part id. */
  part(partId: string): string;
};

export type GlobalKeys = {
  /**
   * Sorted set of chat ids by the time a gateway last marked them: the chats in the pool's custody
   * (queued or running), which the reconciler watches. One of `CUSTODY_SHARDS` shards, chosen by
   * `custodyShardOf(chatId)`.
   */
  custody(shard: number): string;
  /** String with a TTL: which worker reconciles one custody shard this round. */
  custodyLock(shard: number): string;
  /** Sorted set of worker ids by the time their registration expires. */
  workers: string;
  /** String with a TTL: one worker's registration (its agents and versions). */
  worker(workerId: string): string;
  /** The BullMQ prefix; the hash tag keeps each queue's keys in one slot. */
  queuePrefix: string;
};

export const DEFAULT_KEY_PREFIX = 'baton';

export function chatKeys(chatId: string, prefix = DEFAULT_KEY_PREFIX): ChatKeys {
  const base = `${prefix}:{${chatId}}`;
  return {
    input: `${base}:in`,
    output: `${base}:out`,
    session: `${base}:session`,
    messages: `${base}:messages`,
    lease: `${base}:lease`,
    inputWake: `${base}:in:wake`,
    outputWake: `${base}:out:wake`,
    part: (partId) => `${base}:part:${partId}`,
  };
}

export function globalKeys(prefix = DEFAULT_KEY_PREFIX): GlobalKeys {
  const base = `${prefix}:{global}`;
  return {
    custody: (shard) => `${prefix}:{custody-${shard}}:chats`,
    custodyLock: (shard) => `${prefix}:{custody-${shard}}:lock`,
    workers: `${base}:workers`,
    worker: (workerId) => `${base}:worker:${workerId}`,
    queuePrefix: `{${prefix}-queue}`,
  };
}

/**
 * Shards of the custody index. A constant, not a setting: gateways and workers must agree on it,
 * and 16 spreads the index's writes (one per accepted message) over the nodes of any cluster size
 * Baton targets while a reconciler pass stays 16 small reads.
 */
export const CUSTODY_SHARDS = 16;

/** The custody shard of a chat: a stable hash of its id (CRC-32, as Redis Cluster's slots use CRC-16). */
export function custodyShardOf(chatId: string): number {
  return crc32(chatId) % CUSTODY_SHARDS;
}
