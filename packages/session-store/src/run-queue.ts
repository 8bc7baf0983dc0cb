import { RUN_JOB_NAME, type RunJobData, runJobId, runQueueName } from '@baton/protocol';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

const PENDING_STATES: ReadonlySet<string> = new Set([
  'waiting',
  'delayed',
  'prioritized',
  'active',
  'waiting-children',
]);

/** Enqueues run jobs on the queue of the chat's agent; a job id is derived, so adds are idempotent. */
export class RunQueue {
  readonly #connection: Redis;
  readonly #prefix: string;
  readonly #queues = new Map<string, Queue>();

  /** `connection` must have `maxRetriesPerRequest: null` (BullMQ's rule). */
  constructor(options: { connection: Redis; prefix: string }) {
    this.#connection = options.connection;
    this.#prefix = options.prefix;
  }

  /** Adds the run job; `delayMs` holds it back (a retry after a failed run). */
  async enqueue(agentId: string, data: RunJobData, delayMs = 0): Promise<void> {
    await this.#queue(agentId).add(RUN_JOB_NAME, data, { jobId: runJobId(data), delay: delayMs });
  }

  /**
   * Whether the run's job is still on its way to a worker or running: waiting, delayed,
   * prioritized or active. A completed, failed or missing job will never run the chat again.
   */
  async isPending(agentId: string, data: RunJobData): Promise<boolean> {
    const state = await this.#queue(agentId).getJobState(runJobId(data));
    return PENDING_STATES.has(state);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
  }

  #queue(agentId: string): Queue {
    let queue = this.#queues.get(agentId);
    if (!queue) {
      queue = new Queue(runQueueName(agentId), {
        connection: this.#connection,
        prefix: this.#prefix,
      });
      this.#queues.set(agentId, queue);
    }
    return queue;
  }
}
