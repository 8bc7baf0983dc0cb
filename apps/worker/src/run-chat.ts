import {
  BatonError,
  ERROR_CODES,
  type FaultInjector,
  type RunJobData,
  runJobId,
  type SessionRecord,
} from '@baton/protocol';
import type { AgentDefinition, Logger } from '@baton/sdk';
import {
  ClaimNotReplicatedError,
  type RedisSessionStore,
  type WakeSubscriber,
  WriteFence,
} from '@baton/session-store';
import type { UIMessage } from 'ai';
import { abandonPendingTurn } from './abandon-turn.ts';
import type { WorkerFaultPoint } from './config.ts';
import type { LeaseKeeper } from './lease-keeper.ts';
import { letGo } from './let-go.ts';
import { RedisChatSession } from './redis-chat-session.ts';
import { untilAborted } from './until-aborted.ts';

export type RunChatDependencies = {
  store: RedisSessionStore;
  subscriber: WakeSubscriber;
  leases: LeaseKeeper;
  workerId: string;
  leaseDurationMs: number;
  idleTimeoutInSeconds: number;
  /** Runs of a pending turn before the worker ends it with an error itself. */
  maxRunAttempts: number;
  /** Pause before the first retry of a failed run; it doubles with each attempt. */
  runRetryDelayMs: number;
  inputPollIntervalMs: number;
  logger: Logger;
  enqueueRun: (agentId: string, data: RunJobData, delayMs?: number) => Promise<void>;
  /** Sessions this worker holds, so a drain can reach them. */
  sessions: Set<RedisChatSession>;
  isDraining: () => boolean;
  faults: FaultInjector<WorkerFaultPoint>;
};

/**
 * How a run ended. `closed`: the agent closed the chat (`chat.close`); nothing continues it.
 * `lease-busy`: another holder kept its lease through the whole claim wait (the reconciler
 * repairs the chat if that holder never lets go).
 */
export type RunChatOutcome =
  | 'suspended'
  | 'handed-over'
  | 'cancelled'
  | 'closed'
  | 'stale'
  | 'lease-busy';

/** How many lease lifetimes a claim waits for a previous holder before it gives up. */
const CLAIM_WAIT_LEASES = 3;
/** The longest pause before a failed run is retried. */
const MAX_RUN_RETRY_DELAY_MS = 30_000;

/** Why a run was cancelled from inside this worker, when the cancel is not a lease loss. */
export const SHUTDOWN_REASON = 'worker shutdown';

/**
 * Runs one chat for one job (docs/architecture.md, "Claim" to "Suspend"): claim the lease, load
 * the checkpoint, run the agent's loop until the chat suspends, is handed over or the lease is
 * lost, then let go. Whatever goes wrong after the claim, the chat is handed back to the queue
 * unless another worker holds it now; and if even that fails (Redis unreachable), this worker
 * stops renewing the lease, so the reconciler takes the chat over once the lease ran out. Every
 * claim is counted as an attempt of the chat's pending work, so retries are bounded per turn.
 */
export async function runChat(
  agent: AgentDefinition,
  job: { data: RunJobData; attemptsStarted: number },
  dependencies: RunChatDependencies,
): Promise<RunChatOutcome> {
  const { store, workerId, leaseDurationMs } = dependencies;
  const { chatId, runSeq } = job.data;
  const runId = runJobId(job.data);
  const logger = dependencies.logger.child({ chatId, runId });

  const claim = await claimWithWait(
    store,
    { chatId, runSeq, workerId, leaseDurationMs },
    logger,
  ).catch(unlessNotReplicated);
  if (claim === 'stale' || claim === 'lease-busy') return claim;
  if (claim instanceof ClaimNotReplicatedError) {
    // The primary gave this run the lease, but too few replicas hold the epoch bump: a failover
    // now would bring the previous holder's epoch back, and both would write. So this run writes
    // nothing but the hand-back, under the epoch it took, and a later run tries again.
    const run = {
      chatId,
      session: undefined,
      epoch: claim.claimedEpoch,
      attempts: claim.attempts,
      error: claim,
    };
    return await handBack(claim, run, dependencies, agent.id, logger);
  }
  const { epoch, attempts, sentAt } = claim;
  const fence = new WriteFence(chatId, epoch);
  const cancelController = new AbortController();
  dependencies.leases.hold(
    chatId,
    epoch,
    (reason) => cancelController.abort(new BatonError(ERROR_CODES.LEASE_LOST, reason)),
    sentAt,
  );
  let session: RedisChatSession | undefined;
  try {
    dependencies.faults.trip('worker-after-claim');
    let { record, messages } = await readChat(store, chatId);
    if (attempts > dependencies.maxRunAttempts) {
      logger.error({ attempts }, 'the pending turn failed in every run; ending it with an error');
      await abandonPendingTurn(store, fence, record, messages, attempts - 1);
      ({ record, messages } = await readChat(store, chatId));
    }
    session = new RedisChatSession({
      store,
      subscriber: dependencies.subscriber,
      fence,
      inputCursor: record.inputCursor,
      inFlightTurnId: record.activeTurnOutputId,
      attempts,
      cancelController,
      faults: dependencies.faults,
      logger: logger.child({ epoch }),
      inputPollIntervalMs: dependencies.inputPollIntervalMs,
      enqueueRun: (nextRunSeq) => dependencies.enqueueRun(agent.id, { chatId, runSeq: nextRunSeq }),
      state: {
        chatId,
        agentId: agent.id,
        runId,
        turns: record.turns,
        totalUsage: record.totalUsage,
        messages,
        agentState: record.agentState,
        // A preloaded chat (preload-session.lua) with no turn yet: the run its preload started
        // calls `onPreload`; any later run resumes its wait for the first message.
        isResume: record.turns > 0 || (record.preloadRunSeq > 0 && record.preloadRunSeq !== runSeq),
        preloaded: record.preloadRunSeq > 0,
        ...(record.clientData ? { sessionClientData: record.clientData } : {}),
        // Earlier runs took this work on and did not finish it: they ended abnormally.
        continuation:
          record.activeTurnOutputId !== undefined || attempts > 1 || job.attemptsStarted > 1,
      },
    });
    dependencies.sessions.add(session);
    // A job fetched just before a drain began must not wait warm through it.
    if (dependencies.isDraining()) session.requestDrain();
    logger.info(
      { epoch, attempts, turns: record.turns, continuation: session.state.continuation },
      'chat claimed',
    );
    // Once cancelled (lease lost, forced shutdown) the job lets go at once: neither agent code
    // that ignores its abort signal nor a Redis command stuck on a dead connection may hold it.
    // What runs on in the background writes nothing: the cancel revoked the run's write fence.
    await untilAborted(session.open(), cancelController.signal);
    const outcome = await untilAborted(
      agent.runSession(session, { idleTimeoutInSeconds: dependencies.idleTimeoutInSeconds }),
      cancelController.signal,
    );
    if (outcome !== 'cancelled') return outcome;
    const run = { chatId, session, epoch, attempts };
    return await handBack(cancelController.signal.reason, run, dependencies, agent.id, logger);
  } catch (error) {
    const reason = cancelController.signal.aborted ? cancelController.signal.reason : error;
    const run = { chatId, session, epoch, attempts, error };
    return await handBack(reason, run, dependencies, agent.id, logger);
  } finally {
    if (session) dependencies.sessions.delete(session);
    dependencies.leases.release(chatId);
    session?.close();
  }
}

/**
 * Lets go of the chat after a run that failed or was cancelled, unless the cancel was a lease
 * loss (the chat is another worker's now): suspends it when nothing is left to answer, else hands
 * it back to the queue. A failed run is retried after a pause that doubles with each attempt; a
 * run cancelled by a shutdown at once. A turn left in flight is recovered by the next holder,
 * within the agent's recovery budget and the worker's `maxRunAttempts`.
 */
async function handBack(
  reason: unknown,
  run: {
    chatId: string;
    session: RedisChatSession | undefined;
    epoch: number;
    attempts: number;
    error?: unknown;
  },
  dependencies: RunChatDependencies,
  agentId: string,
  logger: Logger,
): Promise<RunChatOutcome> {
  if (BatonError.isInstance(reason) && reason.code === ERROR_CODES.SESSION_CLOSED) {
    // Closed from outside (close-session.lua): nothing continues the chat.
    return 'closed';
  }
  if (BatonError.isInstance(reason) && reason.code === ERROR_CODES.LEASE_LOST) {
    // Another worker holds the chat now; this run may write nothing more.
    logger.warn({ err: run.error ?? reason, reason: 'lease lost' }, 'run cancelled');
    return 'cancelled';
  }
  const isShutdown = reason instanceof Error && reason.message === SHUTDOWN_REASON;
  const delayMs = isShutdown
    ? 0
    : Math.min(
        dependencies.runRetryDelayMs * 2 ** Math.max(0, run.attempts - 1),
        MAX_RUN_RETRY_DELAY_MS,
      );
  logger.error(
    { err: reason, attempts: run.attempts, delayMs },
    'run ended early; handing the chat back',
  );
  const { store } = dependencies;
  try {
    // With nothing left to answer the chat is suspended, not retried: a run that fails whatever
    // its input would otherwise spin.
    const cursor = run.session?.handledCursor ?? (await store.getSession(run.chatId))?.inputCursor;
    return await letGo(
      store,
      { chatId: run.chatId, epoch: run.epoch, readCursor: cursor, handledCursor: cursor },
      (runSeq) => dependencies.enqueueRun(agentId, { chatId: run.chatId, runSeq }, delayMs),
    );
  } catch (handBackError) {
    // Nothing more this run can do: the lease runs out and the reconciler requeues the chat.
    logger.error({ err: handBackError }, 'hand-back failed; the reconciler takes the chat over');
    return 'cancelled';
  }
}

async function readChat(
  store: RedisSessionStore,
  chatId: string,
): Promise<{ record: SessionRecord; messages: UIMessage[] }> {
  const [record, messages] = await Promise.all([
    store.getSession(chatId),
    store.loadMessages(chatId),
  ]);
  if (!record) throw new BatonError(ERROR_CODES.NOT_FOUND, `chat ${chatId} vanished after claim`);
  return { record, messages: messages as UIMessage[] };
}

function unlessNotReplicated(error: unknown): ClaimNotReplicatedError {
  if (error instanceof ClaimNotReplicatedError) return error;
  throw error;
}

async function claimWithWait(
  store: RedisSessionStore,
  input: { chatId: string; runSeq: number; workerId: string; leaseDurationMs: number },
  logger: Logger,
): Promise<{ epoch: number; attempts: number; sentAt: number } | 'stale' | 'lease-busy'> {
  const deadline = Date.now() + CLAIM_WAIT_LEASES * input.leaseDurationMs;
  for (;;) {
    try {
      // The lease runs from when Redis ran the claim, never before it was sent: the deadline
      // the lease keeper keeps counts from here.
      const sentAt = performance.now();
      const claim = await store.claim(input);
      if ('epoch' in claim) return { ...claim, sentAt };
      if (Date.now() + claim.retryAfterMs > deadline) {
        logger.warn({}, 'chat stayed held by another worker; leaving it to its holder');
        return 'lease-busy';
      }
      logger.info({ retryAfterMs: claim.retryAfterMs }, 'waiting for the previous lease to expire');
      await new Promise((resolve) => setTimeout(resolve, claim.retryAfterMs + 10));
    } catch (error) {
      if (BatonError.isInstance(error) && error.code === ERROR_CODES.STALE_RUN) {
        logger.info({}, 'stale run job skipped');
        return 'stale';
      }
      throw error;
    }
  }
}
