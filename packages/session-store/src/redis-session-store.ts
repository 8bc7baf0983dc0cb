import {
  type ControlRecord,
  EMPTY_USAGE,
  type InputEntry,
  type InputRecord,
  type OutputEntry,
  type SessionRecord,
  sessionStatusSchema,
  type TurnCompleteRecord,
  type TurnStartRecord,
  type Usage,
  usageSchema,
} from '@baton/protocol';
import {
  type ChatKeys,
  chatKeys,
  DEFAULT_KEY_PREFIX,
  defineScripts,
  errorFromScriptCode,
  type GlobalKeys,
  globalKeys,
  type ScriptName,
  type ScriptReply,
  type ScriptRunner,
} from '@baton/redis';
import type { Redis } from 'ioredis';
import {
  encodeControlRecord,
  parseInputEntry,
  parseOutputEntry,
  type RawStreamEntry,
} from './stream-entries.ts';
import type { WriteFence } from './write-fence.ts';

export type RedisSessionStoreOptions = {
  /** A command connection (never one used for blocking reads or pub/sub). */
  redis: Redis;
  /** Key prefix; every key still carries the chat's hash tag. @default 'baton' */
  prefix?: string;
  /** Safety bound of an output stream; completed turns trim it far below this. @default 100_000 */
  outputMaxLength?: number;
  /** How long an append's part id stays claimed against retries. @default 24 h */
  partClaimTtlMs?: number;
  clock?: () => number;
};

export type AppendInputResult = {
  /** The record's input-stream id; `''` when a stop was dropped because nothing runs. */
  inputId: string;
  /** The last output-stream id when the record was appended: a new turn's records come after it. */
  outputTailId: string;
  /** The run sequence to enqueue a job for, or 0 when a run already holds or awaits the chat. */
  runSeqToEnqueue: number;
  isDuplicate: boolean;
  /** The agent the chat belongs to: whose queue a job goes to. */
  agentId: string;
};

export type TurnCheckpoint = {
  record: TurnCompleteRecord;
  /** Every input record up to this id is handled. */
  inputCursor: string;
  turns: number;
  totalUsage: Usage;
  /** How many stored messages stay; `messages` replace the rest. */
  keepCount: number;
  messages: unknown[];
};

/**
 * The Redis implementation of a chat's durable state (DESIGN.md section 3): the input and output
 * streams, the session record, the checkpoint and the lease. Every state transition that must be
 * atomic is one Lua script on the chat's own slot; every holder write is fenced by its epoch.
 */
export class RedisSessionStore {
  readonly redis: Redis;
  readonly prefix: string;
  readonly globalKeys: GlobalKeys;
  readonly #scripts: ScriptRunner;
  readonly #outputMaxLength: number;
  readonly #partClaimTtlMs: number;
  readonly #clock: () => number;

  constructor(options: RedisSessionStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
    this.globalKeys = globalKeys(this.prefix);
    this.#scripts = defineScripts(options.redis);
    this.#outputMaxLength = options.outputMaxLength ?? 100_000;
    this.#partClaimTtlMs = options.partClaimTtlMs ?? 24 * 60 * 60 * 1000;
    this.#clock = options.clock ?? Date.now;
  }

  keys(chatId: string): ChatKeys {
    return chatKeys(chatId, this.prefix);
  }

  async createSession(input: {
    chatId: string;
    agentId: string;
    clientData?: Record<string, unknown>;
    tags?: string[];
  }): Promise<{ isNew: boolean; agentId: string }> {
    const keys = this.keys(input.chatId);
    const now = this.#clock();
    const reply = await this.#run(
      'createSession',
      input.chatId,
      [keys.session],
      [
        input.agentId,
        now,
        input.clientData ? JSON.stringify(input.clientData) : '',
        JSON.stringify(input.tags ?? []),
      ],
    );
    const isNew = reply[1] === 1;
    if (isNew) {
      // The index lives on the global slot, so it cannot join the chat's script; a missing entry
      // only hides the chat from listings until the next create.
      await this.redis.zadd(this.globalKeys.sessions, now, input.chatId);
    }
    return { isNew, agentId: String(reply[2]) };
  }

  async getSession(chatId: string): Promise<SessionRecord | undefined> {
    const fields = await this.redis.hgetall(this.keys(chatId).session);
    if (fields.agentId === undefined) return undefined;
    return {
      chatId,
      agentId: fields.agentId,
      status: sessionStatusSchema.parse(fields.status),
      epoch: Number(fields.epoch ?? 0),
      holder: fields.holder || undefined,
      runSeq: Number(fields.runSeq ?? 0),
      inputCursor: fields.inputCursor ?? '0-0',
      turns: Number(fields.turns ?? 0),
      activeTurnOutputId: fields.activeTurn || undefined,
      totalUsage: fields.usage ? usageSchema.parse(JSON.parse(fields.usage)) : { ...EMPTY_USAGE },
      clientData: fields.clientData ? JSON.parse(fields.clientData) : undefined,
      tags: fields.tags ? JSON.parse(fields.tags) : [],
      createdAt: Number(fields.createdAt ?? 0),
      updatedAt: Number(fields.updatedAt ?? 0),
    };
  }

  /**
   * Appends an input record. A message moves an idle session to `queued`; the caller then enqueues
   * a job for `runSeqToEnqueue`. Idempotent on `partId`.
   */
  async appendInput(
    chatId: string,
    record: InputRecord,
    partId: string,
  ): Promise<AppendInputResult> {
    const keys = this.keys(chatId);
    const reply = await this.#run(
      'appendInput',
      chatId,
      [keys.session, keys.input, keys.part(partId), keys.output],
      [
        JSON.stringify(record),
        this.#clock(),
        record.kind === 'message' ? '1' : '0',
        keys.inputWake,
        this.#partClaimTtlMs,
      ],
    );
    return {
      inputId: String(reply[1]),
      outputTailId: String(reply[2]),
      runSeqToEnqueue: Number(reply[3]),
      isDuplicate: reply[4] === 1,
      agentId: String(reply[5]),
    };
  }

  /**
   * Notes that a chat may be about to be queued: the reconciler's index. It lives on the global
   * slot, so it cannot join the append script; it is written before the append and cleaned up
   * by the reconciler once the chat is no longer queued.
   */
  async markQueued(chatId: string): Promise<void> {
    await this.redis.zadd(this.globalKeys.queued, this.#clock(), chatId);
  }

  /** Chats marked queued before `olderThan` (ms epoch), oldest first. */
  async listQueued(olderThan: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.globalKeys.queued, '-inf', olderThan, 'LIMIT', 0, limit);
  }

  async unmarkQueued(chatIds: string[]): Promise<void> {
    if (chatIds.length > 0) await this.redis.zrem(this.globalKeys.queued, ...chatIds);
  }

  /** Input records after `afterId` (exclusive), oldest first. */
  async readInput(chatId: string, afterId: string, count = 100): Promise<InputEntry[]> {
    return (await this.#range(this.keys(chatId).input, `(${afterId}`, count)).map(parseInputEntry);
  }

  /** Output entries after `afterId` (exclusive; `'0-0'` for all), oldest first. */
  async readOutput(chatId: string, afterId: string, count = 500): Promise<OutputEntry[]> {
    const start = afterId === '0-0' ? '-' : `(${afterId}`;
    return (await this.#range(this.keys(chatId).output, start, count)).map(parseOutputEntry);
  }

  /** Output entries from `fromId` (inclusive), oldest first. */
  async readOutputFrom(chatId: string, fromId: string, count = 500): Promise<OutputEntry[]> {
    return (await this.#range(this.keys(chatId).output, fromId, count)).map(parseOutputEntry);
  }

  /** The checkpoint: the accumulated UI messages. */
  async loadMessages(chatId: string): Promise<unknown[]> {
    const messages = await this.redis.lrange(this.keys(chatId).messages, 0, -1);
    return messages.map((message) => JSON.parse(message));
  }

  /**
   * Claims the chat for the run `runSeq`. Resolves the new lease epoch. Throws `STALE_RUN` for a
   * superseded job and `LEASE_BUSY` (with `retryAfterMs`) while another holder's lease is live.
   */
  async claim(input: {
    chatId: string;
    runSeq: number;
    workerId: string;
    leaseDurationMs: number;
  }): Promise<{ epoch: number } | { retryAfterMs: number }> {
    const keys = this.keys(input.chatId);
    const reply = await this.#scripts.run(
      'claimSession',
      [keys.session, keys.lease],
      [input.runSeq, input.workerId, this.#clock(), input.leaseDurationMs],
    );
    if (reply[0] === -5) return { retryAfterMs: Number(reply[1]) };
    this.#throwOnError(reply, 'claimSession', input.chatId);
    return { epoch: Number(reply[1]) };
  }

  /**
   * Renews many leases in one round trip. Resolves the chat ids whose lease was lost.
   */
  async renewLeases(
    leases: { chatId: string; epoch: number }[],
    workerId: string,
    leaseDurationMs: number,
  ): Promise<string[]> {
    const lost = await Promise.all(
      leases.map(async ({ chatId, epoch }) => {
        const keys = this.keys(chatId);
        const reply = await this.#scripts.run(
          'renewLease',
          [keys.session, keys.lease],
          [epoch, workerId, leaseDurationMs],
        );
        return reply[0] === -2 ? chatId : undefined;
      }),
    );
    return lost.filter((chatId) => chatId !== undefined);
  }

  /** Appends UI message chunks (already JSON) in one fenced round trip. */
  async appendChunks(fence: WriteFence, chunkJsons: string[]): Promise<void> {
    await this.appendControl(fence, [], chunkJsons);
  }

  /** Appends control records and chunks, in this order, in one fenced round trip. */
  async appendControl(
    fence: WriteFence,
    records: ControlRecord[],
    chunkJsons: string[] = [],
  ): Promise<void> {
    const { chatId, epoch } = fence;
    const keys = this.keys(chatId);
    const args: (string | number)[] = [epoch, keys.outputWake, this.#outputMaxLength, fence.next()];
    for (const record of records) args.push(...encodeControlRecord(record));
    for (const json of chunkJsons) args.push('c', json);
    await this.#run('appendOutput', chatId, [keys.session, keys.output], args, epoch);
  }

  /**
   * The in-flight turn as its dead run left it: its `turn-start`, every chunk written since (all
   * attempts, in order) and how many recoveries it went through already.
   */
  async readInFlightTurn(
    chatId: string,
    turnStartId: string,
  ): Promise<{ turnStart: TurnStartRecord; chunkJsons: string[]; retries: number } | undefined> {
    const entries: OutputEntry[] = [];
    let page = await this.readOutputFrom(chatId, turnStartId, 1000);
    while (page.length > 0) {
      entries.push(...page);
      const last = page.at(-1);
      page = last ? await this.readOutput(chatId, last.id, 1000) : [];
    }
    const [first, ...rest] = entries;
    if (first?.type !== 'control' || first.record.kind !== 'turn-start') return undefined;
    const chunkJsons: string[] = [];
    let retries = 0;
    for (const entry of rest) {
      if (entry.type === 'chunk') chunkJsons.push(entry.json);
      else if (entry.record.kind === 'turn-retry') retries += 1;
    }
    return { turnStart: first.record, chunkJsons, retries };
  }

  async startTurn(fence: WriteFence, record: TurnStartRecord): Promise<void> {
    const { chatId, epoch } = fence;
    const keys = this.keys(chatId);
    await this.#run(
      'startTurn',
      chatId,
      [keys.session, keys.output],
      [
        epoch,
        keys.outputWake,
        this.#outputMaxLength,
        JSON.stringify(record),
        this.#clock(),
        fence.next(),
      ],
      epoch,
    );
  }

  async completeTurn(fence: WriteFence, checkpoint: TurnCheckpoint): Promise<void> {
    const { chatId, epoch } = fence;
    const keys = this.keys(chatId);
    await this.#run(
      'completeTurn',
      chatId,
      [keys.session, keys.output, keys.messages, keys.input],
      [
        epoch,
        keys.outputWake,
        this.#outputMaxLength,
        JSON.stringify(checkpoint.record),
        this.#clock(),
        checkpoint.inputCursor,
        checkpoint.turns,
        JSON.stringify(checkpoint.totalUsage),
        checkpoint.keepCount,
        fence.next(),
        ...checkpoint.messages.map((message) => JSON.stringify(message)),
      ],
      epoch,
    );
  }

  /**
   * Suspends the chat if no input waits past `readCursor`. Resolves `'input-waiting'` otherwise:
   * the holder must read it and go on.
   */
  async suspend(
    chatId: string,
    epoch: number,
    readCursor: string,
  ): Promise<'suspended' | 'input-waiting'> {
    const keys = this.keys(chatId);
    const reply = await this.#run(
      'suspendSession',
      chatId,
      [keys.session, keys.input, keys.lease],
      [epoch, readCursor, this.#clock()],
      epoch,
    );
    return reply[0] === 0 ? 'suspended' : 'input-waiting';
  }

  /** Hands the chat back to the queue; resolves the run sequence the caller must enqueue. */
  async release(chatId: string, epoch: number, inputCursor: string): Promise<number> {
    const keys = this.keys(chatId);
    const reply = await this.#run(
      'releaseSession',
      chatId,
      [keys.session, keys.lease],
      [epoch, this.#clock(), inputCursor],
      epoch,
    );
    return Number(reply[1]);
  }

  async #range(key: string, start: string, count: number): Promise<RawStreamEntry[]> {
    return (await this.redis.xrange(key, start, '+', 'COUNT', count)) as RawStreamEntry[];
  }

  async #run(
    name: ScriptName,
    chatId: string,
    keys: string[],
    args: (string | number)[],
    epoch?: number,
  ): Promise<ScriptReply> {
    const reply = await this.#scripts.run(name, keys, args);
    this.#throwOnError(reply, name, chatId, epoch);
    return reply;
  }

  #throwOnError(reply: ScriptReply, script: string, chatId: string, epoch?: number): void {
    if (reply[0] < 0) {
      throw errorFromScriptCode(reply[0], { chatId, script, ...(epoch ? { epoch } : {}) });
    }
  }
}
