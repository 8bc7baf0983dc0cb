import { RUN_JOB_NAME, type RunJobData, runJobId, runQueueName } from '@baton/protocol';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

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
   * Makes sure a job exists for the run: adds it if missing, and replaces one that failed (the
   * reconciler's repair of a chat left `queued` with no live job).
   */
  async ensure(agentId: string, data: RunJobData): Promise<'exists' | 'added'> {
    const queue = this.#queue(agentId);
    const job = await queue.getJob(runJobId(data));
    if (job && !(await job.isFailed())) return 'exists';
    await job?.remove();
    await this.enqueue(agentId, data);
    return 'added';
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
