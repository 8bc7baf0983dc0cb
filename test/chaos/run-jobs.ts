import { runQueueName } from '@baton/protocol';
import { globalKeys } from '@baton/redis';
import { type JobType, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** The BullMQ states of a run job that still have to run it. */
const PENDING_STATES = ['active', 'wait', 'delayed'] as const;

/** How many run jobs of an agent's queue are in each of `states`. */
export async function runJobCounts(
  redis: Redis,
  agentId: string,
  states: readonly JobType[],
): Promise<Record<string, number>> {
  const queue = new Queue(runQueueName(agentId), {
    connection: redis,
    prefix: globalKeys().queuePrefix,
  });
  try {
    return await queue.getJobCounts(...states);
  } finally {
    await queue.close();
  }
}

/** Whether any run of the agent is still active, waiting or delayed. */
export async function hasPendingRuns(redis: Redis, agentId: string): Promise<boolean> {
  const counts = await runJobCounts(redis, agentId, PENDING_STATES);
  return Object.values(counts).some((count) => count > 0);
}
