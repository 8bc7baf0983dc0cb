import { setTimeout as delay } from 'node:timers/promises';
import { CUSTODY_SHARDS, chatKeys, DEFAULT_KEY_PREFIX } from '@baton/redis';
import { CustodyIndex } from '@baton/session-store';
import type { Redis } from 'ioredis';

/** Options of {@link ChatHolders}. */
export type ChatHoldersOptions = {
  /** A command connection to the Redis of the workers. */
  redis: Redis;
  /** Key prefix (`BATON_KEY_PREFIX`). @default 'baton' */
  prefix?: string;
  /** How often a watch reads the chat. @default 100 ms */
  pollIntervalMs?: number;
  /** How long a watch waits for the chat to move on. @default 60 s */
  watchTimeoutMs?: number;
};

/** A chat that a worker held, with the lease epoch of that hold. */
export type HeldChat = { chatId: string; epoch: number };

/** What became of a chat whose holder died, and how long after the death. */
export type ChatRecovery =
  | { kind: 'taken-over'; holder: string; afterMs: number }
  /** No worker needed it any more: it went idle (`suspended`), was closed, or is gone. */
  | { kind: 'idle'; status: string; afterMs: number }
  | { kind: 'timed-out'; status: string; afterMs: number };

const PAGE_SIZE = 500;
const PAGE_OFFSET_LIMIT = 100_000;

/**
 * Which chats a worker held, and who took them over once it died: what `baton dev` says when a
 * worker dies, so that the recovery the product promises shows in its own log.
 *
 * A worker keeps no list of its chats in Redis; the session hash's `holder` field says who holds
 * each chat. The custody index lists every chat the pool has (queued or running, docs/
 * architecture.md, "Custody"), 16 sorted sets, so the cheapest honest answer is those 16 reads
 * plus one `HMGET` per listed chat, pipelined. That is a scan of the pool's chats, fine in a dev
 * launcher at the moment a worker died and never done on a request's path.
 *
 * @example
 * ```ts
 * const held = await holders.heldBy('worker-2');
 * const recovery = await holders.awaitRecovery(held[0], diedAtMs, signal);
 * ```
 */
export class ChatHolders {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #custody: CustodyIndex;
  readonly #pollIntervalMs: number;
  readonly #watchTimeoutMs: number;

  constructor(options: ChatHoldersOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
    this.#custody = new CustodyIndex({ redis: options.redis, prefix: this.#prefix });
    this.#pollIntervalMs = options.pollIntervalMs ?? 100;
    this.#watchTimeoutMs = options.watchTimeoutMs ?? 60_000;
  }

  /** The chats running under `workerId` (the worker's `BATON_WORKER_ID`), by chat id. */
  async heldBy(workerId: string): Promise<HeldChat[]> {
    const chatIds = (
      await Promise.all(
        Array.from({ length: CUSTODY_SHARDS }, (_, shard) => this.#listShard(shard)),
      )
    ).flat();
    const states = await Promise.all(chatIds.map((chatId) => this.#readState(chatId)));
    return chatIds
      .flatMap((chatId, index) => {
        const state = states[index];
        return state?.status === 'running' && state.holder === workerId
          ? [{ chatId, epoch: state.epoch }]
          : [];
      })
      .sort((left, right) => left.chatId.localeCompare(right.chatId));
  }

  /**
   * Polls the chat until another hold began (its epoch grew: a claim, by another worker or by the
   * restarted one under the same name), it went idle, or the watch timed out. `diedAtMs` is when
   * its holder died: the pause the chat's user saw is measured from there.
   */
  async awaitRecovery(
    chat: HeldChat,
    diedAtMs: number,
    signal: AbortSignal,
  ): Promise<ChatRecovery> {
    const deadlineMs = diedAtMs + this.#watchTimeoutMs;
    for (;;) {
      const state = await this.#readState(chat.chatId);
      const afterMs = Date.now() - diedAtMs;
      if (state === undefined) return { kind: 'idle', status: 'gone', afterMs };
      if (state.epoch > chat.epoch && state.holder !== '') {
        return { kind: 'taken-over', holder: state.holder, afterMs };
      }
      if (state.status !== 'running' && state.status !== 'queued') {
        return { kind: 'idle', status: state.status, afterMs };
      }
      if (Date.now() >= deadlineMs) return { kind: 'timed-out', status: state.status, afterMs };
      await delay(this.#pollIntervalMs, undefined, { signal });
    }
  }

  async #listShard(shard: number): Promise<string[]> {
    const chatIds: string[] = [];
    for (let offset = 0; offset < PAGE_OFFSET_LIMIT; offset += PAGE_SIZE) {
      const page = await this.#custody.list(shard, Number.MAX_SAFE_INTEGER, {
        offset,
        limit: PAGE_SIZE,
      });
      chatIds.push(...page.map((entry) => entry.chatId));
      if (page.length < PAGE_SIZE) break;
    }
    return chatIds;
  }

  async #readState(
    chatId: string,
  ): Promise<{ status: string; holder: string; epoch: number } | undefined> {
    const [status, holder, epoch] = await this.#redis.hmget(
      chatKeys(chatId, this.#prefix).session,
      'status',
      'holder',
      'epoch',
    );
    if (!status) return undefined;
    return { status, holder: holder ?? '', epoch: Number(epoch ?? 0) };
  }
}
