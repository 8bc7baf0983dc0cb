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
    let queue = this.#queues.get(agentId);
    if (!queue) {
      queue = new Queue(runQueueName(agentId), {
        connection: this.#connection,
        prefix: this.#prefix,
      });
      this.#queues.set(agentId, queue);
    }
    await queue.add(RUN_JOB_NAME, data, { jobId: runJobId(data), delay: delayMs });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
  }
}
