import {
  BatonError,
  ERROR_CODES,
  type FaultInjector,
  type RunJobData,
  runJobId,
} from '@baton/protocol';
import type { AgentDefinition, Logger } from '@baton/sdk';
import type { RedisSessionStore, WakeSubscriber } from '@baton/session-store';
import type { UIMessage } from 'ai';
import type { LeaseKeeper } from './lease-keeper.ts';
import { RedisChatSession } from './redis-chat-session.ts';

export type RunChatDependencies = {
  store: RedisSessionStore;
  subscriber: WakeSubscriber;
  leases: LeaseKeeper;
  workerId: string;
  leaseDurationMs: number;
  idleTimeoutInSeconds: number;
  inputPollIntervalMs: number;
  logger: Logger;
  enqueueRun: (agentId: string, data: RunJobData, delayMs?: number) => Promise<void>;
  /** Sessions this worker holds, so a drain can reach them. */
  sessions: Set<RedisChatSession>;
  isDraining: () => boolean;
  faults: FaultInjector;
};

export type RunChatOutcome = 'suspended' | 'handed-over' | 'cancelled' | 'stale';

/** How many lease lifetimes a claim waits for a previous holder before it gives up. */
const CLAIM_WAIT_LEASES = 3;
/** Pause before a run that failed unexpectedly is retried, so a persistent fault does not spin. */
const FAILED_RUN_RETRY_DELAY_MS = 2_000;

/**
 * Runs one chat for one job (DESIGN.md section 4): claim the lease, load the checkpoint, run the
 * agent's loop until the chat suspends, is handed over or the lease is lost, then let go.
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

  const epoch = await claimWithWait(store, { chatId, runSeq, workerId, leaseDurationMs }, logger);
  if (epoch === undefined) return 'stale';

  const [record, messages] = await Promise.all([
    store.getSession(chatId),
    store.loadMessages(chatId),
  ]);
  if (!record) throw new BatonError(ERROR_CODES.NOT_FOUND, `chat ${chatId} vanished after claim`);

  const session = new RedisChatSession({
    store,
    subscriber: dependencies.subscriber,
    epoch,
    inputCursor: record.inputCursor,
    inFlightTurnId: record.activeTurnOutputId,
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
      messages: messages as UIMessage[],
      isResume: record.turns > 0,
      // A turn left in flight, or a job started again, means the previous run ended abnormally.
      continuation: record.activeTurnOutputId !== undefined || job.attemptsStarted > 1,
    },
  });
  dependencies.leases.hold(chatId, epoch, (reason) =>
    session.cancel(new BatonError(ERROR_CODES.LEASE_LOST, reason)),
  );
  dependencies.sessions.add(session);
  // A job fetched just before a drain began must not wait warm through it.
  if (dependencies.isDraining()) session.requestDrain();
  logger.info(
    { epoch, turns: record.turns, continuation: session.state.continuation },
    'chat claimed',
  );
  try {
    await session.open();
    const outcome = await agent.runSession(session, {
      idleTimeoutInSeconds: dependencies.idleTimeoutInSeconds,
    });
    return outcome;
  } catch (error) {
    if (session.cancelSignal.aborted) {
      // Another worker holds the chat now; this run may write nothing more.
      logger.warn({ err: error }, 'run cancelled');
      return 'cancelled';
    }
    // A failed job would leave the chat `running` with nobody to run it: hand it back to the
    // queue, so that its unanswered input is retried after a pause.
    logger.error({ err: error }, 'run failed; handing the chat back');
    const nextRunSeq = await store.release(chatId, epoch, session.handledCursor);
    await dependencies.enqueueRun(
      agent.id,
      { chatId, runSeq: nextRunSeq },
      FAILED_RUN_RETRY_DELAY_MS,
    );
    return 'handed-over';
  } finally {
    dependencies.sessions.delete(session);
    dependencies.leases.release(chatId);
    session.close();
  }
}

async function claimWithWait(
  store: RedisSessionStore,
  input: { chatId: string; runSeq: number; workerId: string; leaseDurationMs: number },
  logger: Logger,
): Promise<number | undefined> {
  const deadline = Date.now() + CLAIM_WAIT_LEASES * input.leaseDurationMs;
  for (;;) {
    try {
      const claim = await store.claim(input);
      if ('epoch' in claim) return claim.epoch;
      if (Date.now() + claim.retryAfterMs > deadline) {
        throw new BatonError(
          ERROR_CODES.LEASE_BUSY,
          `chat ${input.chatId} stayed held by another worker`,
          { isRetryable: true },
        );
      }
      logger.info({ retryAfterMs: claim.retryAfterMs }, 'waiting for the previous lease to expire');
      await new Promise((resolve) => setTimeout(resolve, claim.retryAfterMs + 10));
    } catch (error) {
      if (BatonError.isInstance(error) && error.code === ERROR_CODES.STALE_RUN) {
        logger.info({}, 'stale run job skipped');
        return undefined;
      }
      throw error;
    }
  }
}
