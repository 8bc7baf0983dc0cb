import { type SessionStatus, sessionStatusSchema } from '@baton/protocol';
import {
  chatKeys,
  custodyShardOf,
  DEFAULT_KEY_PREFIX,
  defineScripts,
  errorFromScriptCode,
  type GlobalKeys,
  globalKeys,
  type ScriptRunner,
} from '@baton/redis';
import type { Redis } from 'ioredis';

export type CustodyIndexOptions = {
  /** A command connection (never one used for blocking reads or pub/sub). */
  redis: Redis;
  /** Key prefix. @default 'baton' */
  prefix?: string;
  clock?: () => number;
};

/** A chat in the custody index, as the reconciler sees it. */
export type CustodyView = {
  status: SessionStatus;
  agentId: string;
  runSeq: number;
  /** The custody mark time of the last message append that landed on the chat; 0 if none. */
  appendedMarkAt: number;
  hasLiveLease: boolean;
  /** When the last holder's lease ran or runs out (ms epoch); 0 if never claimed. */
  leaseExpiresAt: number;
};

/** One chat of a custody shard, with the time of its latest mark (the entry's score). */
export type CustodyEntry = { chatId: string; markedAt: number };

/**
 * The chats in the pool's custody (docs/architecture.md, "Custody"): every chat whose status says
 * the pool has it, from the message append that marked it until a reconciler saw it idle. The
 * store marks chats as it appends their messages; the reconciler reads the shards, looks at each
 * chat, and requeues the ones nobody runs or drops the ones that are idle.
 *
 * @example
 * ```ts
 * for (const { chatId, markedAt } of await custody.list(shard, Date.now() - graceMs, page)) {
 *   const view = await custody.inspect(chatId);
 * }
 * ```
 */
export class CustodyIndex {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #keys: GlobalKeys;
  readonly #scripts: ScriptRunner;
  readonly #clock: () => number;

  constructor(options: CustodyIndexOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
    this.#keys = globalKeys(this.#prefix);
    this.#scripts = defineScripts(options.redis);
    this.#clock = options.clock ?? Date.now;
  }

  /** Marks the chat at `now` (its shard's score): the store does it with each message append. */
  async mark(chatId: string, now: number): Promise<void> {
    await this.#redis.zadd(this.#keys.custody(custodyShardOf(chatId)), now, chatId);
  }

  /** Chats of one shard marked before `olderThan` (ms epoch), oldest first, with their marks. */
  async list(
    shard: number,
    olderThan: number,
    page: { offset: number; limit: number },
  ): Promise<CustodyEntry[]> {
    const flat = await this.#redis.zrangebyscore(
      this.#keys.custody(shard),
      '-inf',
      olderThan,
      'WITHSCORES',
      'LIMIT',
      page.offset,
      page.limit,
    );
    const entries: CustodyEntry[] = [];
    for (let index = 0; index + 1 < flat.length; index += 2) {
      entries.push({ chatId: String(flat[index]), markedAt: Number(flat[index + 1]) });
    }
    return entries;
  }

  /** Drops a chat's mark unless a gateway marked it again since `markedAt`. */
  async release(entry: CustodyEntry): Promise<boolean> {
    const reply = await this.#scripts.run(
      'releaseCustody',
      [this.#keys.custody(custodyShardOf(entry.chatId))],
      [entry.chatId, entry.markedAt],
    );
    return reply[0] === 0;
  }

  /**
   * Takes one shard for this reconciler round, so that the workers share the shards instead of
   * each reading them all. Resolves false when another worker has it.
   */
  async lockShard(shard: number, workerId: string, durationMs: number): Promise<boolean> {
    const reply = await this.#redis.set(
      this.#keys.custodyLock(shard),
      workerId,
      'PX',
      durationMs,
      'NX',
    );
    return reply === 'OK';
  }

  /** What the reconciler needs of a chat, in one round trip; undefined when it has no session. */
  async inspect(chatId: string): Promise<CustodyView | undefined> {
    const keys = chatKeys(chatId, this.#prefix);
    const [fields, leaseTtlMs] = await Promise.all([
      this.#redis.hmget(keys.session, 'status', 'agentId', 'runSeq', 'markedAt', 'leaseExpiresAt'),
      this.#redis.pttl(keys.lease),
    ]);
    const [status, agentId, runSeq, appendedMarkAt, leaseExpiresAt] = fields;
    if (!status || !agentId) return undefined;
    return {
      status: sessionStatusSchema.parse(status),
      agentId,
      runSeq: Number(runSeq ?? 0),
      appendedMarkAt: Number(appendedMarkAt ?? 0),
      hasLiveLease: leaseTtlMs > 0,
      leaseExpiresAt: Number(leaseExpiresAt ?? 0),
    };
  }

  /**
   * The reconciler's repair: puts a chat that is `queued` with no job, or `running` with a lease
   * gone for `graceMs`, back in the queue under a new run sequence and epoch
   * (requeue-session.lua). Resolves the run sequence to enqueue, or undefined when the chat changed
   * since it was inspected.
   */
  async requeue(
    chatId: string,
    seen: { status: 'queued' | 'running'; runSeq: number },
    graceMs: number,
  ): Promise<number | undefined> {
    const keys = chatKeys(chatId, this.#prefix);
    const reply = await this.#scripts.run(
      'requeueSession',
      [keys.session, keys.lease],
      [seen.status, seen.runSeq, this.#clock(), graceMs],
    );
    if (reply[0] < 0) throw errorFromScriptCode(reply[0], { chatId, script: 'requeueSession' });
    return reply[0] === 0 ? Number(reply[1]) : undefined;
  }
}
