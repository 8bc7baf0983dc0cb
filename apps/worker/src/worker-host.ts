import {
  type FaultInjector,
  type RunJobData,
  runJobDataSchema,
  runQueueName,
} from '@baton/protocol';
import type { AgentDefinition, Logger } from '@baton/sdk';
import { type RedisSessionStore, RunQueue, type WakeSubscriber } from '@baton/session-store';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { AgentRegistration } from './agent-registration.ts';
import type { WorkerConfig, WorkerFaultPoint } from './config.ts';
import { LeaseKeeper } from './lease-keeper.ts';
import { Reconciler } from './reconciler.ts';
import type { RedisChatSession } from './redis-chat-session.ts';
import { type RunChatOutcome, runChat, SHUTDOWN_REASON } from './run-chat.ts';

export type WorkerState = 'starting' | 'running' | 'draining' | 'stopped';

export type WorkerHostDependencies = {
  config: WorkerConfig;
  agents: AgentDefinition[];
  store: RedisSessionStore;
  subscriber: WakeSubscriber;
  /** Connection for BullMQ (it duplicates it for blocking commands); `maxRetriesPerRequest: null`. */
  queueConnection: Redis;
  logger: Logger;
  faults: FaultInjector<WorkerFaultPoint>;
};

/**
 * The worker process's lifecycle (`starting -> running -> draining -> stopped`, after Temporal):
 * one BullMQ worker per hosted agent's queue, the lease keeper, the agent registration. A drain
 * stops taking jobs, hands waiting chats over at once and running ones at their turn boundary,
 * and cancels whatever still runs after the drain timeout.
 */
export class WorkerHost {
  #state: WorkerState = 'starting';
  readonly #dependencies: WorkerHostDependencies;
  readonly #workers: Worker[] = [];
  readonly #runQueue: RunQueue;
  readonly #reconciler: Reconciler;
  readonly #sessions = new Set<RedisChatSession>();
  readonly #leases: LeaseKeeper;
  readonly #registration: AgentRegistration;

  constructor(dependencies: WorkerHostDependencies) {
    this.#dependencies = dependencies;
    const { config, store, logger } = dependencies;
    this.#runQueue = new RunQueue({
      connection: dependencies.queueConnection,
      prefix: store.globalKeys.queuePrefix,
    });
    this.#reconciler = new Reconciler({
      store,
      runQueue: this.#runQueue,
      workerId: config.workerId,
      intervalMs: config.reconcileIntervalMs,
      graceMs: config.reconcileGraceMs,
      logger,
    });
    this.#leases = new LeaseKeeper({
      store,
      workerId: config.workerId,
      leaseDurationMs: config.leaseDurationMs,
      logger,
    });
    this.#registration = new AgentRegistration({
      registry: store.workers,
      registration: {
        workerId: config.workerId,
        agents: dependencies.agents.map((agent) => ({
          id: agent.id,
          version: agent.version ?? config.agentVersion,
        })),
        startedAt: Date.now(),
      },
      logger,
    });
  }

  get state(): WorkerState {
    return this.#state;
  }

  get heldChats(): number {
    return this.#sessions.size;
  }

  async start(): Promise<void> {
    const { config, agents, queueConnection, logger } = this.#dependencies;
    this.#leases.start();
    for (const agent of agents) {
      const worker = new Worker<RunJobData, RunChatOutcome>(
        runQueueName(agent.id),
        (job) =>
          runChat(
            agent,
            { data: runJobDataSchema.parse(job.data), attemptsStarted: job.attemptsStarted },
            this.#runDependencies(),
          ),
        {
          connection: queueConnection,
          prefix: this.#dependencies.store.globalKeys.queuePrefix,
          concurrency: config.concurrency,
          // The BullMQ lock and the chat lease expire together, so a dead worker's job is
          // re-delivered about when its chat's lease can be taken over.
          lockDuration: config.leaseDurationMs,
          stalledInterval: config.stalledIntervalMs,
          // Recovery budgets live at the turn level; a chat must never be dropped by BullMQ.
          maxStalledCount: 1_000,
          removeOnComplete: { count: 1_000 },
          removeOnFail: { count: 10_000 },
        },
      );
      worker.on('failed', (job, error) => {
        logger.error({ err: error, jobId: job?.id }, 'run failed');
      });
      worker.on('error', (error) => {
        logger.warn({ err: error }, 'queue worker error');
      });
      this.#workers.push(worker);
    }
    await Promise.all(this.#workers.map((worker) => worker.waitUntilReady()));
    await this.#registration.start();
    this.#reconciler.start();
    this.#state = 'running';
    logger.info(
      {
        agents: agents.map((agent) => agent.id),
        concurrency: config.concurrency,
      },
      'worker started',
    );
  }

  /** Drains (SIGTERM): resolves when every chat is handed over or the drain timed out. */
  async drain(): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'draining';
    const { config, logger } = this.#dependencies;
    logger.info({ heldChats: this.#sessions.size }, 'draining');
    const closing = Promise.all(this.#workers.map((worker) => worker.close()));
    for (const session of this.#sessions) session.requestDrain();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), config.drainTimeoutMs);
    });
    const result = await Promise.race([closing.then(() => 'closed' as const), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      logger.warn({ heldChats: this.#sessions.size }, 'drain timed out; cancelling runs');
      for (const session of this.#sessions) session.cancel(new Error(SHUTDOWN_REASON));
      await Promise.all(this.#workers.map((worker) => worker.close(true)));
    }
    await this.stop();
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#leases.stop();
    this.#reconciler.stop();
    await Promise.all(this.#workers.map((worker) => worker.close(true)));
    await this.#runQueue.close();
    await this.#registration.stop().catch(() => {});
    this.#dependencies.logger.info({}, 'worker stopped');
  }

  #runDependencies() {
    const { config, store, subscriber, logger } = this.#dependencies;
    return {
      store,
      subscriber,
      leases: this.#leases,
      workerId: config.workerId,
      leaseDurationMs: config.leaseDurationMs,
      idleTimeoutInSeconds: config.idleTimeoutInSeconds,
      maxRunAttempts: config.maxRunAttempts,
      runRetryDelayMs: config.runRetryDelayMs,
      inputPollIntervalMs: config.inputPollIntervalMs,
      logger,
      sessions: this.#sessions,
      isDraining: () => this.#state === 'draining',
      faults: this.#dependencies.faults,
      enqueueRun: (agentId: string, data: RunJobData, delayMs?: number) =>
        this.#runQueue.enqueue(agentId, data, delayMs),
    };
  }
}
