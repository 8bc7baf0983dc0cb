import {
  type ControlRecord,
  EMPTY_USAGE,
  type InputEntry,
  type InputRecord,
  type OutputEntry,
  type SessionClosedRecord,
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
  SCRIPT_CODES,
  type ScriptName,
  type ScriptReply,
  type ScriptRunner,
} from '@baton/redis';
import type { Redis } from 'ioredis';
import { CustodyIndex } from './custody-index.ts';
import type { RedisSessionStoreOptions } from './redis-session-store-options.ts';
import { ClaimNotReplicatedError, ReplicaAcknowledgement } from './replica-acknowledgement.ts';
import {
  encodeControlRecord,
  parseInputEntry,
  parseOutputEntry,
  type RawStreamEntry,
} from './stream-entries.ts';
import { WorkerRegistry } from './worker-registry.ts';
import type { WriteFence } from './write-fence.ts';

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

const DAY_MS = 24 * 60 * 60 * 1000;

export type TurnCheckpoint = {
  record: TurnCompleteRecord;
  /** Every input record up to this id is handled. */
  inputCursor: string;
  turns: number;
  totalUsage: Usage;
  /** How many stored messages stay; `messages` replace the rest. */
  keepCount: number;
  messages: unknown[];
  /** The serialized agent state; undefined keeps the stored one. */
  agentState?: string | undefined;
};

/**
 * The Redis implementation of a chat's durable state (docs/architecture.md, "Data model"): the
 * input and output streams, the session record, the checkpoint and the lease. Every state
 * transition that must be atomic is one Lua script on the chat's own slot; every holder write is
 * fenced by its epoch.
 */
export class RedisSessionStore {
  readonly redis: Redis;
  readonly prefix: string;
  readonly globalKeys: GlobalKeys;
  /** The live workers and the agents they host. */
  readonly workers: WorkerRegistry;
  /** The chats in the pool's custody, which every message append marks. */
  readonly custody: CustodyIndex;
  readonly #scripts: ScriptRunner;
  readonly #outputMaxLength: number;
  readonly #partClaimTtlMs: number;
  readonly #idleRetentionMs: number;
  readonly #closedRetentionMs: number;
  readonly #clock: () => number;
  /** Undefined when no replica needs to hold a write before it is acknowledged. */
  readonly #replicas: ReplicaAcknowledgement | undefined;

  constructor(options: RedisSessionStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
    this.globalKeys = globalKeys(this.prefix);
    this.#scripts = defineScripts(options.redis);
    this.#outputMaxLength = options.outputMaxLength ?? 100_000;
    this.#partClaimTtlMs = options.partClaimTtlMs ?? DAY_MS;
    this.#idleRetentionMs = options.idleRetentionMs ?? 30 * DAY_MS;
    this.#closedRetentionMs = options.closedRetentionMs ?? 7 * DAY_MS;
    this.#clock = options.clock ?? Date.now;
    this.#replicas =
      options.minReplicas && options.minReplicas > 0
        ? new ReplicaAcknowledgement({
            redis: options.redis,
            minReplicas: options.minReplicas,
            timeoutMs: options.replicaTimeoutMs ?? 500,
          })
        : undefined;
    this.workers = new WorkerRegistry({
      redis: options.redis,
      prefix: this.prefix,
      clock: this.#clock,
    });
    this.custody = new CustodyIndex({
      redis: options.redis,
      prefix: this.prefix,
      clock: this.#clock,
    });
  }

  /** Resolves once Redis answers a PING: what a readiness probe asks. */
  async ping(): Promise<void> {
    await this.redis.ping();
  }

  keys(chatId: string): ChatKeys {
    return chatKeys(chatId, this.prefix);
  }

  async createSession(input: {
    chatId: string;
    agentId: string;
    clientData?: Record<string, unknown>;
    tags?: string[];
  }): Promise<{ isNew: boolean; agentId: string; isClosed: boolean }> {
    const keys = this.keys(input.chatId);
    const now = this.#clock();
    const sentOn = this.#replicas?.socket();
    const reply = await this.#run(
      'createSession',
      input.chatId,
      [keys.session],
      [
        input.agentId,
        now,
        input.clientData ? JSON.stringify(input.clientData) : '',
        JSON.stringify(input.tags ?? []),
        this.#idleRetentionMs,
      ],
    );
    // A session lost in a failover would turn the client's first message into a 404.
    await this.#replicas?.confirm('createSession', input.chatId, sentOn);
    return { isNew: reply[1] === 1, agentId: String(reply[2]), isClosed: reply[3] === 'closed' };
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
      preloadRunSeq: Number(fields.preloadRunSeq ?? 0),
      inputCursor: fields.inputCursor ?? '0-0',
      turns: Number(fields.turns ?? 0),
      activeTurnOutputId: fields.activeTurn || undefined,
      totalUsage: fields.usage ? usageSchema.parse(JSON.parse(fields.usage)) : { ...EMPTY_USAGE },
      clientData: fields.clientData ? JSON.parse(fields.clientData) : undefined,
      agentState: fields.agentState || undefined,
      tags: fields.tags ? JSON.parse(fields.tags) : [],
      createdAt: Number(fields.createdAt ?? 0),
      updatedAt: Number(fields.updatedAt ?? 0),
    };
  }

  /** The consumed input cursor alone (one field, not the record); undefined without a session. */
  async inputCursorOf(chatId: string): Promise<string | undefined> {
    const keys = this.keys(chatId);
    const [agentId, inputCursor] = await this.redis.hmget(keys.session, 'agentId', 'inputCursor');
    return agentId ? (inputCursor ?? '0-0') : undefined;
  }

  /**
   * Appends an input record. A message moves an idle session to `queued`; the caller then enqueues
   * a job for `runSeqToEnqueue`. Idempotent on `partId`.
   *
   * A message also marks the chat in the custody index, in the same round trip as the append and
   * before it lands: the index lives on another slot, so it cannot join the chat's script, and a
   * gateway that dies between the append and its enqueue must leave a trace that the reconciler
   * finds. The append records the mark's time, so that the reconciler drops the mark only once the
   * chat's own record shows that the append that went with it landed.
   *
   * With `minReplicas`, a message is acknowledged only once the replicas hold it; else this throws
   * `REPLICATION_TIMEOUT`, and the message may still stand on the primary with no job enqueued for
   * it. The client's retry (the same part id) is then the same append, and returns the queued run
   * sequence again for the caller to enqueue. A stop is not confirmed: one lost in a failover
   * stopped nothing that survived it either, and the client can send it again.
   */
  async appendInput(
    chatId: string,
    record: InputRecord,
    partId: string,
  ): Promise<AppendInputResult> {
    const keys = this.keys(chatId);
    const now = this.#clock();
    const isMessage = record.kind === 'message';
    const sentOn = this.#replicas?.socket();
    const [, reply] = await Promise.all([
      isMessage ? this.custody.mark(chatId, now) : undefined,
      this.#run(
        'appendInput',
        chatId,
        [keys.session, keys.input, keys.part(partId), keys.output, keys.messages],
        [
          JSON.stringify(record),
          now,
          isMessage ? '1' : '0',
          keys.inputWake,
          this.#partClaimTtlMs,
          isMessage ? now : '',
        ],
      ),
    ]);
    // A retry writes too (append-input.lua records `markedAt` on every message append), so its
    // WAIT also covers the first append, which another connection may have made.
    if (isMessage) await this.#replicas?.confirm('appendInput', chatId, sentOn);
    return {
      inputId: String(reply[1]),
      outputTailId: String(reply[2]),
      runSeqToEnqueue: Number(reply[3]),
      isDuplicate: reply[4] === 1,
      agentId: String(reply[5]),
    };
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
   * Claims the chat for the run `runSeq`. Resolves the new lease epoch and how many runs took on
   * the chat's pending work, this one included (see claim-session.lua), or how long another
   * holder's live lease still runs. Throws `STALE_RUN` for a superseded job.
   *
   * With `minReplicas`, the claim resolves only once the replicas hold the epoch bump: until then
   * a failover would bring the previous holder's epoch back, and both would write. Fewer in time:
   * throws `ClaimNotReplicatedError`, which carries the epoch the claim took on the primary, for
   * the caller to hand the chat back under without writing anything else.
   */
  async claim(input: {
    chatId: string;
    runSeq: number;
    workerId: string;
    leaseDurationMs: number;
  }): Promise<{ epoch: number; attempts: number } | { retryAfterMs: number }> {
    const keys = this.keys(input.chatId);
    const sentOn = this.#replicas?.socket();
    const reply = await this.#scripts.run(
      'claimSession',
      [keys.session, keys.lease, keys.input],
      [input.runSeq, input.workerId, this.#clock(), input.leaseDurationMs],
    );
    if (reply[0] === SCRIPT_CODES.LEASE_BUSY) return { retryAfterMs: Number(reply[1]) };
    this.#throwOnError(reply, 'claimSession', input.chatId);
    const claim = { epoch: Number(reply[1]), attempts: Number(reply[2]) };
    if (this.#replicas) {
      const acknowledgedReplicas = await this.#replicas.countReplicas(sentOn);
      if (acknowledgedReplicas < this.#replicas.minReplicas) {
        throw new ClaimNotReplicatedError({
          chatId: input.chatId,
          requiredReplicas: this.#replicas.minReplicas,
          acknowledgedReplicas,
          timeoutMs: this.#replicas.timeoutMs,
          claimedEpoch: claim.epoch,
          attempts: claim.attempts,
        });
      }
    }
    return claim;
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
          [epoch, workerId, leaseDurationMs, this.#clock()],
        );
        return reply[0] === SCRIPT_CODES.LEASE_LOST ? chatId : undefined;
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

  /**
   * Writes the turn's checkpoint and its `turn-complete` record. With `minReplicas`, resolves only
   * once the replicas hold them, else throws `REPLICATION_TIMEOUT`: the turn is then complete on
   * the primary but not acknowledged, and the holder must stop (its next turn would build on a
   * checkpoint that a failover can undo) and hand the chat back at this turn's cursor.
   */
  async completeTurn(fence: WriteFence, checkpoint: TurnCheckpoint): Promise<void> {
    const { chatId, epoch } = fence;
    const keys = this.keys(chatId);
    const sentOn = this.#replicas?.socket();
    await this.#run(
      'completeTurn',
      chatId,
      [keys.session, keys.output, keys.messages, keys.input],
      [
        epoch,
        keys.outputWake,
        JSON.stringify(checkpoint.record),
        this.#clock(),
        checkpoint.inputCursor,
        checkpoint.turns,
        JSON.stringify(checkpoint.totalUsage),
        checkpoint.keepCount,
        fence.next(),
        checkpoint.agentState ?? '',
        ...checkpoint.messages.map((message) => JSON.stringify(message)),
      ],
      epoch,
    );
    await this.#replicas?.confirm('completeTurn', chatId, sentOn);
  }

  /**
   * Checkpoints between turns what the agent changed after its turn (history edits, agent
   * state), fenced like every holder write.
   */
  async saveCheckpoint(
    fence: WriteFence,
    checkpoint: Pick<TurnCheckpoint, 'keepCount' | 'messages' | 'agentState'>,
  ): Promise<void> {
    const { chatId, epoch } = fence;
    const keys = this.keys(chatId);
    const sentOn = this.#replicas?.socket();
    await this.#run(
      'saveCheckpoint',
      chatId,
      [keys.session, keys.messages],
      [
        epoch,
        this.#clock(),
        fence.next(),
        checkpoint.keepCount,
        checkpoint.agentState ?? '',
        ...checkpoint.messages.map((message) => JSON.stringify(message)),
      ],
      epoch,
    );
    await this.#replicas?.confirm('saveCheckpoint', chatId, sentOn);
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
      [keys.session, keys.input, keys.lease, keys.output, keys.messages],
      [epoch, readCursor, this.#clock(), this.#idleRetentionMs],
      epoch,
    );
    return reply[0] === 0 ? 'suspended' : 'input-waiting';
  }

  /**
   * Hands the chat back to the queue; resolves the run sequence the caller must enqueue. Without
   * `inputCursor` the stored cursor stays (a run that failed before it read anything).
   */
  async release(chatId: string, epoch: number, inputCursor?: string): Promise<number> {
    const keys = this.keys(chatId);
    const reply = await this.#run(
      'releaseSession',
      chatId,
      [keys.session, keys.lease],
      [epoch, this.#clock(), inputCursor ?? ''],
      epoch,
    );
    return Number(reply[1]);
  }

  /**
   * Closes the chat for good: appends get `SESSION_CLOSED` from now on, a holder is fenced off,
   * followers of the output see a `session-closed` record, and the chat's keys expire after the
   * closed-chat retention. Resolves false when it was closed already; throws `NOT_FOUND`.
   *
   * With `minReplicas`, resolves only once the replicas hold the close, else throws
   * `REPLICATION_TIMEOUT`. A repeated close writes too (close-session.lua), so that its `WAIT`
   * also covers a first close made on another connection.
   */
  async close(chatId: string, reason?: string): Promise<boolean> {
    const keys = this.keys(chatId);
    const now = this.#clock();
    const sentOn = this.#replicas?.socket();
    const record: SessionClosedRecord = {
      kind: 'session-closed',
      ...(reason ? { reason } : {}),
      closedAt: now,
    };
    const reply = await this.#run(
      'closeSession',
      chatId,
      [keys.session, keys.lease, keys.input, keys.output, keys.messages],
      [
        now,
        JSON.stringify(record),
        keys.outputWake,
        keys.inputWake,
        this.#closedRetentionMs,
        JSON.stringify({ kind: 'close', ...(reason ? { reason } : {}), receivedAt: now }),
      ],
    );
    await this.#replicas?.confirm('close', chatId, sentOn);
    return reply[1] === 1;
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
